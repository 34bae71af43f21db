"""`bot eval`: start the stack if needed, run the held-out set through Rasa's REST channel, write the report."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from bot.evaluation.report import summary_lines, write_report
from bot.evaluation.score import Outcome, ask, classify, load_items, score
from bot.knowledge.topics import Topics
from bot.ops.runner import Service, StartupError, latest_model, loopback, start_stack, stop_all
from bot.settings import Settings


def run_evaluation(
    settings: Settings,
    url: str | None,
    questions: Path,
    out: Path,
    limit: int | None,
    figures_only: bool = False,
) -> int:
    """Ask every question in a fresh conversation and score the replies. ``figures_only`` (for a test set)
    prints and writes the figures but no miss and no confusion, so nobody reads what it got wrong."""
    items = load_items(settings.project_root / questions)[:limit]
    running: list[Service] = []
    try:
        if url is None:
            model = latest_model(settings.model_dir)
            if model is None:
                print("no trained model; run `bot train` first", file=sys.stderr)
                return 1
            start_stack(settings, model, running, lambda: False)
            url = f"http://{loopback(settings)}:{settings.rasa_port}/webhooks/rest/webhook"
        outcomes = []
        for item in tqdm(items, desc="evaluating", unit="q"):
            kind, topic = classify(ask(url, item.text))
            outcomes.append(Outcome(item, kind, topic))
    except StartupError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        stop_all(running)
    groups = {t.code: t.audience for t in Topics.load(settings.knowledge_dir).topics}
    report = score(outcomes, groups)
    for line in summary_lines(report):
        print(line)
    if not figures_only:
        print("most frequent confusions (expected → got):")
        for expected, got, count in report.confusions[:15]:
            print(f"  {count:3d}  {expected} → {got}")
    print(f"report: {write_report(report, settings.project_root / out, str(questions), figures_only)}")
    return 0
