"""Model load time, parse latency and resident memory of the current model (trains nothing)."""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time

from bot.ops.runner import latest_model
from bot.settings import OFFLINE_ENV, get_settings

MESSAGES = [
    "你好",
    "子女不给赡养费怎么办",
    "我想申请调解",
    "英德市浛洸镇",
    "他拿刀要砍我",
    "公司股权怎么转让",
] * 20


async def measure() -> None:
    from rasa.core.agent import Agent

    from bot.channels import fast_load

    fast_load.install()  # as the served Rasa loads it
    settings = get_settings()
    model = latest_model(settings.model_dir) or latest_model(settings.project_root / "var" / "test-model")
    if model is None:
        print("nlu: no model yet (run `make run` or `make test` first)")
        return
    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_s = time.perf_counter() - started
    timings = []
    for text in MESSAGES:
        t0 = time.perf_counter()
        await agent.parse_message(text)
        timings.append((time.perf_counter() - t0) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"nlu: model {model.name} loaded in {load_s:.1f} s; peak RSS {rss_mb:.0f} MiB")
    print(
        f"  {len(timings)} parses: mean {statistics.mean(timings):.1f} ms, "
        f"p50 {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
    )


def main() -> None:
    os.environ.update(OFFLINE_ENV)
    asyncio.run(measure())


if __name__ == "__main__":
    main()
