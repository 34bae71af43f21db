"""Word lists derived from the catalog: jieba dictionary lines (places, organizations) and gazetteer patterns."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.catalog import Catalog

PLACE_FREQ = 3000
ORG_FREQ = 3000
HAND_WRITTEN = "jieba"  # knowledge/jieba/: dictionaries people edit (legal terms), one `word freq tag` a line


def hand_written_dictionaries(knowledge: Path) -> list[Path]:
    """The dictionary files under knowledge/jieba/, in name order."""
    folder = knowledge / HAND_WRITTEN
    return sorted(p for p in folder.iterdir() if p.suffix == ".txt") if folder.is_dir() else []


def jieba_lines(catalog: Catalog) -> tuple[list[str], list[str]]:
    """Dictionary lines for places (every name and alias) and organizations (full names)."""
    places = [f"{surface} {PLACE_FREQ} ns" for surface in sorted(catalog.gazetteer.surfaces)]
    names = sorted({row.name for row in catalog.directory_rows})
    orgs = [f"{name} {ORG_FREQ} nt" for name in names]
    return places, orgs


def generated_dictionaries(catalog: Catalog) -> dict[str, list[str]]:
    """The generated dictionary files by name, as `bot build` writes them next to the hand-written ones."""
    places, orgs = jieba_lines(catalog)
    return {"organizations.txt": orgs, "places.txt": places}


def all_dictionaries(catalog: Catalog) -> dict[str, list[str]]:
    """Every jieba dictionary by file name, hand-written and generated, in the name order they are loaded in."""
    found = {
        p.name: p.read_text(encoding="utf-8").splitlines()
        for p in hand_written_dictionaries(catalog.knowledge)
    }
    found.update(generated_dictionaries(catalog))
    return dict(sorted(found.items()))


def gazetteer_patterns(catalog: Catalog) -> list[dict[str, str]]:
    """EntityRuler patterns: every place surface (label = its highest level) and every dispute keyword."""
    patterns = []
    for surface, places in sorted(catalog.gazetteer.surfaces.items()):
        level = min((p.level for p in places), key=("county", "town", "village").index)
        codes = "|".join(p.code for p in places if p.level == level)
        patterns.append({"label": level, "pattern": surface, "id": codes})
    for code, keywords in catalog.dispute_types.keywords.items():
        for keyword in keywords:
            patterns.append({"label": "dispute_type", "pattern": keyword, "id": code})
    return patterns
