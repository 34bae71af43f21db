"""Load: simulated citizens over REST at rising numbers of concurrent users; latency, throughput, errors, referrals,
memory of each process. Starts the stack unless ``--url`` names a running Rasa; writes JSON and a PNG plot."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from benchmarks import baseline
from bot.ops.runner import Service, StartupError, latest_model, loopback, start_stack, stop_all
from bot.settings import get_settings

LEVELS = (1, 5, 20, 50)
SECONDS = 30.0  # per level
TIMEOUT = 30.0  # a reply slower than this is an error (WeChat itself gives up after 5 s)
MIX = (("question", 0.7), ("intake", 0.2), ("chitchat", 0.1))
CHITCHAT = ["你好", "谢谢", "你能做什么", "再见", "您好，请问在吗"]
# A whole intake typed in words, as people answer (the conversation tests check each step; here only the end).
INTAKE = [
    "我想申请调解",
    "邻居纠纷",
    "清城区凤城街道高基里社区",
    "楼上邻居",
    "楼上漏水三个月了，一直不肯修，谈了几次谈不拢",
    "没有",
    "同意",
    "陈女士",
    "138 0013 8000",
    "对",
]
QUESTION_SETS = ("tests/eval/dev3.yml", "tests/eval/dev4.yml", "tests/eval/dev5.yml")
PROCESSES = {"Rasa": "bot.channels.server", "action server": "bot.ops.action_server"}


@dataclass
class Level:
    """What one number of concurrent users measured."""

    users: int
    messages: int = 0
    errors: int = 0
    seconds: float = 0.0
    intakes: int = 0
    referrals: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    rss_mib: dict[str, float] = field(default_factory=dict)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        del data["latencies_ms"]
        data |= {f"p{int(q * 100)}_ms": round(self.percentile(q), 1) for q in (0.5, 0.95, 0.99)}
        data["messages_per_s"] = round(self.messages / self.seconds, 1) if self.seconds else 0.0
        return data


def questions(root: Path) -> list[str]:
    found = []
    for name in QUESTION_SETS:
        found += [q["text"] for q in yaml.safe_load((root / name).read_text(encoding="utf-8"))["questions"]]
    return found


def rss_mib() -> dict[str, float]:
    """Resident memory of each service (its process and children), read from /proc."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                commands[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found = {}
    for label, marker in PROCESSES.items():
        roots = {pid for pid, command in commands.items() if marker in command}
        tree = set(roots)
        while extra := {pid for pid, parent in parents.items() if parent in tree} - tree:
            tree |= extra
        total = 0
        for pid in tree:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next(
                (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
            )
        found[label] = round(total / 1024, 1)
    return found


class Citizen(threading.Thread):
    """One user: picks a question, an intake or chit-chat, waits for every reply, until the deadline."""

    def __init__(
        self, url: str, level: Level, pool: list[str], deadline: float, seed: int, lock: threading.Lock
    ):
        super().__init__(daemon=True)
        self.url, self.level, self.pool, self.deadline, self.lock = url, level, pool, deadline, lock
        self.rng = random.Random(seed)
        self.session = requests.Session()

    def say(self, sender: str, text: str) -> list[dict[str, Any]] | None:
        started = time.perf_counter()
        try:
            reply = self.session.post(self.url, json={"sender": sender, "message": text}, timeout=TIMEOUT)
            reply.raise_for_status()
            messages = list(reply.json())
        except (requests.RequestException, ValueError):
            messages = None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.level.messages += 1
            self.level.latencies_ms.append(elapsed)
            self.level.errors += messages is None
        return messages

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            sender = f"load-{uuid.uuid4().hex}"
            if kind == "question":
                self.say(sender, self.rng.choice(self.pool))
            elif kind == "chitchat":
                self.say(sender, self.rng.choice(CHITCHAT))
            else:
                self.intake(sender)

    def intake(self, sender: str) -> None:
        with self.lock:
            self.level.intakes += 1
        replies = None
        for text in INTAKE:
            replies = self.say(sender, text)
            if replies is None or time.monotonic() >= self.deadline + TIMEOUT:
                return
        done = any(
            isinstance(m.get("custom"), dict) and m["custom"].get("kind") == "referral_created"
            for m in replies or []
        )
        with self.lock:
            self.level.referrals += done


def drive(url: str, users: int, pool: list[str], seconds: float) -> Level:
    level = Level(users)
    lock = threading.Lock()
    started = time.monotonic()
    citizens = [Citizen(url, level, pool, started + seconds, 1000 * users + i, lock) for i in range(users)]
    for citizen in citizens:
        citizen.start()
    for citizen in citizens:
        citizen.join()
    level.seconds = time.monotonic() - started
    level.rss_mib = rss_mib()
    return level


def plot(levels: list[Level], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [lv.users for lv in levels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for share in (0.5, 0.95, 0.99):
        left.plot(users, [lv.percentile(share) for lv in levels], marker="o", label=f"p{int(share * 100)}")
    left.set(xlabel="concurrent users", ylabel="ms per message", title="latency", yscale="log")
    left.legend()
    right.plot(users, [lv.messages / lv.seconds for lv in levels], marker="o")
    right.set(xlabel="concurrent users", ylabel="messages / s", title="throughput")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running Rasa REST webhook; default: start the stack")
    parser.add_argument("--users", default=",".join(map(str, LEVELS)))
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--out", default="var/bench")
    parser.add_argument("--no-baseline", action="store_true", help="skip Rasa's /model/parse baseline")
    args = parser.parse_args()
    settings = get_settings()
    running: list[Service] = []
    model = latest_model(settings.model_dir)
    try:
        url = args.url
        if url is None:
            if model is None:
                print("load: no trained model (run `make run` first)")
                return
            started = time.monotonic()
            try:
                start_stack(settings, model, running, lambda: False)
            except StartupError as error:  # e.g. `make run` holds the ports: pass --url instead
                print(f"load: {error}")
                return
            print(f"load: stack started in {time.monotonic() - started:.1f} s")
            url = f"http://{loopback(settings)}:{settings.rasa_port}/webhooks/rest/webhook"
        pool = questions(settings.project_root)
        levels = []
        for users in (int(n) for n in args.users.split(",")):
            level = drive(url, users, pool, args.seconds)
            levels.append(level)
            s = level.summary()
            print(
                f"load: {users:3d} users  p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  "
                f"p99 {s['p99_ms']:7.1f} ms  {s['messages_per_s']:6.1f} msg/s  errors {level.errors}  "
                f"referrals {level.referrals}/{level.intakes} intakes  RSS {level.rss_mib}"
            )
    finally:
        stop_all(running)
    out = settings.project_root / args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps([lv.summary() for lv in levels], indent=2), encoding="utf-8")
    plot(levels, out / "load.png")
    median = statistics.median(levels[0].latencies_ms) if levels and levels[0].latencies_ms else 0.0
    print(f"load: one user's median {median:.1f} ms; written {out / 'load.json'} and {out / 'load.png'}")
    if model is not None and not args.no_baseline:
        parse = baseline.median(baseline.parse_latencies(settings.project_root, model, pool, args.seconds))
        ratio = median / parse if parse else 0.0
        print(
            f"load: baseline, Rasa's /model/parse on {model.name}: median {parse:.1f} ms; a full turn is {ratio:.1f}x"
        )


if __name__ == "__main__":
    main()
