"""Writing the evaluation report: figures on the console, a Markdown file and a PNG confusion chart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.evaluation.score import Report, _label

TARGETS = {"topic_accuracy": 0.92, "behaviour_accuracy": 0.95, "emergency_recall": 1.0}


def summary_lines(report: Report) -> list[str]:
    lines = [
        f"questions: {len(report.outcomes)}",
        f"behaviour accuracy: {report.behaviour_accuracy:.3f} (target {TARGETS['behaviour_accuracy']})",
        f"topic top-1 accuracy: {report.topic_accuracy:.3f} (target {TARGETS['topic_accuracy']})",
        f"emergency recall: {report.emergency_recall:.3f} (target {TARGETS['emergency_recall']})",
        f"emergency reply given to other questions: {report.emergency_false_alarms:.3f}",
        f"out-of-scope precision / recall: {report.oos_precision:.3f} / {report.oos_recall:.3f}",
        f"answerable questions refused as out of scope: {report.in_scope_refused:.3f}",
    ]
    for name, slices in (("asker", report.by_audience), ("topics for", report.by_topic_group)):
        for key, part in slices.items():
            lines.append(
                f"{name} {key}: behaviour {part.behaviour_accuracy:.3f} of {part.questions}, "
                f"topic {part.topic_accuracy:.3f} of {part.answers} answers"
            )
    return lines


def markdown(
    report: Report, chart: str | None, source: str = "tests/eval/questions.yml", figures_only: bool = False
) -> str:
    out = [f"# Evaluation on {source}", ""]
    out += [f"- {line}" for line in summary_lines(report)]
    if figures_only:  # a test set: its misses are never read
        return "\n".join([*out, "", "(figures only: this is a test set, its misses are not shown)"]) + "\n"
    out += ["", "## Per-topic F1", "", "| topic | F1 |", "|---|---|"]
    out += [f"| {topic} | {value:.2f} |" for topic, value in sorted(report.per_topic_f1.items())]
    out += ["", "## Confusions (expected → got)", "", "| expected | got | count |", "|---|---|---|"]
    out += [f"| {a} | {b} | {n} |" for a, b, n in report.confusions[:60]]
    wrong = [o for o in report.outcomes if _label(o.kind, o.topic) != _label(o.item.kind, o.item.topic)]
    out += ["", "## Every miss", "", "| question | expected | got |", "|---|---|---|"]
    out += [
        f"| {o.item.text.replace('|', '｜')} | {_label(o.item.kind, o.item.topic)} | {_label(o.kind, o.topic)} |"
        for o in wrong
    ]
    if chart:
        out += ["", f"![confusion chart]({chart})"]
    return "\n".join(out) + "\n"


def confusion_chart(report: Report, path: Path) -> None:
    """A heat map of expected vs predicted labels (behaviours, and topics for answers)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = Counter((_label(o.item.kind, o.item.topic), _label(o.kind, o.topic)) for o in report.outcomes)
    labels = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    index = {label: i for i, label in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for (expected, got), n in pairs.items():
        grid[index[expected]][index[got]] = n
    size = max(8.0, len(labels) * 0.32)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"behaviour {report.behaviour_accuracy:.3f} / topic {report.topic_accuracy:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    report: Report, folder: Path, source: str = "tests/eval/questions.yml", figures_only: bool = False
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    chart = None
    if not figures_only:
        chart = folder / "confusion.png"
        confusion_chart(report, chart)
    target = folder / "report.md"
    target.write_text(markdown(report, chart.name if chart else None, source, figures_only), encoding="utf-8")
    return target
