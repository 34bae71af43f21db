"""The floor under a full turn: Rasa's own `/model/parse` on the same model, one request at a time (a separate
Rasa process with its HTTP API on a free loopback port, stopped afterwards)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from bot.ops.runner import free_port, wait_until_up
from bot.settings import child_env

STARTUP_SECONDS = 300.0


def parse_latencies(root: Path, model: Path, texts: list[str], seconds: float) -> list[float]:
    """Milliseconds per `/model/parse` over ``seconds``, cycling through ``texts``."""
    port = free_port()
    command = [sys.executable, "-m", "bot.channels.server", "run", "-m", str(model), "--enable-api"]
    command += ["-i", "127.0.0.1", "-p", str(port)]
    # endpoints.yml names the action server through ACTION_SERVER_URL; parsing never calls it.
    env = child_env(ACTION_SERVER_URL="http://127.0.0.1:9/webhook")
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(f"{url}/status", process, time.monotonic() + STARTUP_SECONDS):
            raise RuntimeError("the baseline Rasa did not start")
        session = requests.Session()
        session.post(f"{url}/model/parse", json={"text": texts[0]}, timeout=30)  # warm up
        latencies: list[float] = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            text = texts[len(latencies) % len(texts)]
            started = time.perf_counter()
            session.post(f"{url}/model/parse", json={"text": text}, timeout=30).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies
    finally:
        process.terminate()
        process.wait(timeout=30)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
