"""How long one routing decision over the whole directory (1,467 organizations) takes."""

from __future__ import annotations

import random
import statistics
import time

from bot.knowledge.catalog import Catalog
from bot.mediation.routing import RouteRequest
from bot.settings import get_settings

DECISIONS = 50_000


def main() -> None:
    catalog = Catalog(get_settings().knowledge_dir)
    started = time.perf_counter()
    router = catalog.router()
    build_ms = (time.perf_counter() - started) * 1000
    villages = [p for p in catalog.gazetteer.places.values() if p.level == "village"]
    rng = random.Random(42)
    requests = []
    for _ in range(DECISIONS):
        v = rng.choice(villages)
        level = rng.randrange(4)
        requests.append(
            RouteRequest(
                rng.choice(catalog.dispute_types.codes),
                v.county_code if level > 0 else None,
                v.town_code if level > 1 else None,
                v.code if level > 2 else None,
            )
        )
    load = {row.id: rng.randrange(5) for row in catalog.directory_rows}
    timings = []
    for request in requests:
        t0 = time.perf_counter_ns()
        router.route(request, load)
        timings.append(time.perf_counter_ns() - t0)
    timings.sort()
    print(f"routing: {len(catalog.directory_rows)} directory rows, router built in {build_ms:.1f} ms")
    print(
        f"  {DECISIONS} decisions: mean {statistics.mean(timings) / 1000:.1f} µs, "
        f"p50 {timings[len(timings) // 2] / 1000:.1f} µs, p99 {timings[int(len(timings) * 0.99)] / 1000:.1f} µs"
    )


if __name__ == "__main__":
    main()
