"""Simulated citizens type the whole intake over REST, with answers drawn from a phrase bank written separately
from the training data (tests/conversation/phrase_bank.yml): every intake ends in a referral or a deliberate
cancellation, no question is asked more than twice more, and the stored referral is in the place they meant."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.db.models import Referral
from bot.db.session import session_scope
from tests.conversation.test_rest_intake import Chat, asked
from tests.paths import ROOT

pytestmark = [pytest.mark.model, pytest.mark.server]

BANK: dict[str, Any] = yaml.safe_load(
    (ROOT / "tests/conversation/phrase_bank.yml").read_text(encoding="utf-8")
)
INTAKES = 200
CANCEL_SHARE = 0.1  # citizens who change their mind half-way and type 算了
MAX_REASKS = 2  # the same question asked again at most this often
OPENINGS = ["我想申请调解", "申请调解", "想请人调解一下", "我要调解", "可以帮我调解吗", "申请人民调解"]
CANCELS = ["算了", "不搞了", "算啦唔搞啦", "取消吧", "我不想申请了"]


@dataclass
class Run:
    """One simulated citizen: what they meant, what happened."""

    dispute: str
    place: dict[str, str]
    cancel_at: str | None
    turns: int = 0
    reasks: Counter = field(default_factory=Counter)
    outcome: str = ""
    reference: str = ""
    transcript: list[str] = field(default_factory=list)


def answer(slot: str, run: Run, rng: random.Random) -> str:
    """A typed answer to the question for ``slot``, as this citizen means it."""
    options = {
        "dispute_type": BANK["dispute_type"][run.dispute],
        "location": [run.place["text"]],
        "counterparty": BANK["counterparty"],
        "description": BANK["description"][run.dispute],
        "court_or_police": BANK["court_or_police_no"],
        "consent": BANK["consent_yes"],
        "applicant_name": BANK["applicant_name"],
        "phone": BANK["phone"],
        "confirm": BANK["confirm_yes"],
    }[slot]
    return str(rng.choice(options))


def payload_kinds(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["custom"]["kind"]: m["custom"] for m in messages if isinstance(m.get("custom"), dict)}


def simulate(base: str, run: Run, seed: int) -> Run:
    rng = random.Random(seed)
    chat = Chat(base)
    messages = chat.say(rng.choice(OPENINGS))
    previous = None
    while run.turns < 40:
        run.turns += 1
        kinds = payload_kinds(messages)
        if "referral_created" in kinds:
            run.outcome, run.reference = "referral", kinds["referral_created"]["reference"]
            return run
        if "cancelled" in kinds:
            run.outcome = f"cancelled:{kinds['cancelled'].get('reason', 'by_citizen')}"
            return run
        if "ask" not in kinds:  # neither a question of the intake nor its end: the citizen is lost
            run.outcome = f"unexpected:{','.join(sorted(kinds)) or 'text'}"
            return run
        slot = kinds["ask"]["slot"]
        if slot == previous:
            run.reasks[slot] += 1
            if run.reasks[slot] > MAX_REASKS:
                run.outcome = f"loop:{slot}"
                return run
        previous = slot
        if slot == run.cancel_at:
            typed = rng.choice(CANCELS)
        elif slot == "location" and any("choices" in (m.get("custom") or {}) for m in messages):
            typed = "1"  # a choice of places: the first is the one meant (the bank names unambiguous places)
        else:
            typed = answer(slot, run, rng)
        run.transcript.append(f"{slot}: {typed}")
        messages = chat.say(typed)
    run.outcome = "too_long"
    return run


def test_two_hundred_typed_intakes_end_in_a_referral_or_a_deliberate_cancellation(
    rasa_server: str, stack_db: str
) -> None:
    rng = random.Random(20261207)
    slots = [
        "dispute_type",
        "location",
        "counterparty",
        "court_or_police",
        "consent",
        "applicant_name",
        "phone",
    ]
    runs = [
        Run(
            dispute=rng.choice(sorted(BANK["description"])),
            place=rng.choice(BANK["location"]),
            cancel_at=rng.choice(slots) if rng.random() < CANCEL_SHARE else None,
        )
        for _ in range(INTAKES)
    ]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda pair: simulate(rasa_server, pair[1], pair[0]), enumerate(runs)))
    outcomes = Counter(r.outcome if not r.outcome.startswith("cancelled") else "cancelled" for r in done)
    turns = [r.turns for r in done if r.outcome == "referral"]
    reasked = Counter(slot for r in done for slot, n in r.reasks.items() for _ in range(n))
    print(
        f"\ntyped intakes: {dict(outcomes)}; turns to a referral: mean {statistics.mean(turns):.1f}, "
        f"max {max(turns)}; questions asked again: {dict(reasked)}"
    )
    failed = [r for r in done if r.outcome not in ("referral",) and not r.outcome.startswith("cancelled")]
    for run in failed:
        print(f"  {run.outcome}: {' | '.join(run.transcript)}")
    assert failed == [], [(r.outcome, r.transcript[-3:]) for r in failed]
    wrong_cancel = [r for r in done if r.outcome.startswith("cancelled") and r.cancel_at is None]
    assert wrong_cancel == [], [(r.outcome, r.transcript[-4:]) for r in wrong_cancel[:5]]
    with session_scope(stack_db) as s:
        for run in (r for r in done if r.outcome == "referral"):
            referral = s.execute(select(Referral).where(Referral.reference == run.reference)).scalar_one()
            assert referral.dispute_type == run.dispute, run.transcript
            stored = {referral.county_code, referral.town_code, referral.village_code}
            assert run.place["code"] in stored, (run.place, stored)


@pytest.mark.parametrize("no", ["没有", "没", "还没", "无", "不是", "没报警", "没起诉"])
def test_no_in_words_to_court_or_police_goes_on_to_consent(rasa_server: str, no: str) -> None:
    chat = Chat(rasa_server)
    # The story tells the type, the place, the other party and what happened: the next question is the court's.
    assert asked(chat.say("我在英德市浛洸镇，楼上邻居漏水三个月不肯修，想申请调解")) == "court_or_police"
    reply = chat.say(no)
    assert asked(reply) == "consent", reply
    assert not any("清远普法调解助手" in m.get("text", "") for m in reply)  # not the welcome message


def test_a_bare_request_starts_the_intake(rasa_server: str) -> None:
    assert asked(Chat(rasa_server).say("申请调解")) == "dispute_type"
