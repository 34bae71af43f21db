"""Where the tests find the project: its root and the knowledge folder they read (never write)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
