"""How long the retriever takes to load from its cache (an action server's start), to build from nothing (a new
entry's publish, without the remembered analyses), and to answer; and the memory it holds."""

from __future__ import annotations

import resource
import statistics
import time

from bot import services
from bot.legal.followups import FollowupRules
from bot.legal.retrieval import Analyses, Retriever

QUESTIONS = [
    "子女不给赡养费怎么办",
    "老细拖咗三个月人工唔出，点算",
    "遗竹怎么写才有效",
    "被同学在班群里骂了好几天",
    "小区物业费涨价要业主同意吗",
    "我七十多了，有人上门推销保健品说能治高血压",
] * 50


def main() -> None:
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    catalog = services.catalog()
    read = (catalog.entries, catalog.teaching_questions, catalog.outside_questions)  # loaded before timing
    assert all(read)
    started = time.perf_counter()
    retriever = services.retriever()
    load_s = time.perf_counter() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib) / 1024
    version = services.knowledge()
    started = time.perf_counter()
    Retriever.from_catalog(
        catalog,
        version.audience_rules.about,
        version.dialect.fold,
        FollowupRules.load(catalog.knowledge),
        Analyses(),
    )
    build_s = time.perf_counter() - started
    stored = sum(len(entry.questions) for entry in catalog.entries)
    timings = []
    for question in QUESTIONS:
        t0 = time.perf_counter()
        retriever.match(question, "general")
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(
        f"retrieval: {len(catalog.entries)} entries, {stored} entry questions, "
        f"{len(catalog.topic_questions)} topic questions; loaded in {load_s:.1f} s (from var/cache when built before), "
        f"built from nothing in {build_s:.1f} s; peak memory of one +{grown_mib:.0f} MiB"
    )
    print(
        f"  {len(QUESTIONS)} questions: mean {statistics.mean(timings):.1f} ms, "
        f"p50 {timings[len(timings) // 2]:.1f} ms, p99 {timings[int(len(timings) * 0.99)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
