"""Status queries reveal nothing without the right reference and phone digits, and stop after repeated misses on a
reference or from a client, whichever conversation they come from."""

from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionReferralStatus
from bot.settings import get_settings
from tests.actions.helpers import payloads, responses, tracker
from tests.mediation.referral_factory import store_referral

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
NOT_FOUND = {"kind": "referral_status", "found": False}


class Clock:
    """The action's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _referral(db_url: str, key: str = "k") -> str:
    return store_referral(db_url, key, "T441802006", applicant_name="陈", description="漏水")


async def _ask(text: str, sender: str = "tester", clock: Clock | None = None) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    action = ActionReferralStatus(clock or Clock())
    events = await action.run(dispatcher, tracker(text, intent="check_status", sender=sender), {})
    assert events == []  # the limits live in the database, not in the conversation
    return dispatcher


async def test_right_reference_and_digits_show_the_status(directory_db: str) -> None:
    reference = _referral(directory_db)
    dispatcher = await _ask(f"查询进度 {reference} 8000")
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "referral_status" and payload["found"] is True
    assert payload["reference"] == reference
    assert payload["status"] == "submitted" and payload["org"]["id"] == "T441802006"
    assert [h["status"] for h in payload["history"]] == ["submitted"]
    assert "13800138000" not in str(dispatcher.messages)


async def test_a_reference_typed_loosely_is_found(directory_db: str) -> None:
    reference = _referral(directory_db)  # QY-YYMMDD-XXXX-XXXX
    _, day, first, second = reference.split("-")
    typed = f"qy {day} {(first + second)[:3]} {(first + second)[3:6]} {(first + second)[6:]}".lower()
    dispatcher = await _ask(f"帮我查下进度，编号{typed}，手机尾号8000")
    assert payloads(dispatcher)[0]["reference"] == reference


async def test_wrong_digits_and_unknown_references_get_the_same_reply(directory_db: str) -> None:
    reference = _referral(directory_db)
    for text in (
        f"查询进度 {reference} 1234",
        "查询进度 QY-20000101-0001 8000",
        "查询进度 QY-000101-AAAA-AAAA 8000",
    ):
        dispatcher = await _ask(text)
        assert responses(dispatcher) == ["utter_status_not_found"]
        assert payloads(dispatcher) == [NOT_FOUND]


async def test_missing_digits_are_asked_for(directory_db: str) -> None:
    dispatcher = await _ask("查询进度")
    assert responses(dispatcher) == ["utter_status_ask_reference"]


async def test_a_new_sender_id_on_a_locked_reference_is_still_locked(directory_db: str) -> None:
    reference = _referral(directory_db)
    clock = Clock()
    for n in range(get_settings().status_misses_per_reference):  # five conversations, one wrong guess each
        clock.now += timedelta(minutes=1)
        dispatcher = await _ask(f"查询进度 {reference} {1000 + n}", sender=f"guesser-{n}", clock=clock)
        assert responses(dispatcher) == ["utter_status_not_found"]
    for sender in ("guesser-0", "a-new-sender", "tester"):  # even the right digits, from anyone
        dispatcher = await _ask(f"查询进度 {reference} 8000", sender=sender, clock=clock)
        assert responses(dispatcher) == ["utter_status_locked"]
        assert payloads(dispatcher) == [{"kind": "referral_status"}]
    other = _referral(directory_db, "k2")  # other references are not locked
    assert payloads(await _ask(f"查询进度 {other} 8000", sender="a-new-sender", clock=clock))[0]["found"]


async def test_the_right_key_is_refused_until_the_window_has_passed(directory_db: str) -> None:
    reference = _referral(directory_db)
    clock = Clock()
    first_miss = clock.now
    for n in range(5):
        clock.now = first_miss + timedelta(minutes=n)
        await _ask(f"查询进度 {reference} 000{n}", sender=f"guesser-{n}", clock=clock)
    clock.now = first_miss + timedelta(hours=23, minutes=59)
    assert responses(await _ask(f"查询进度 {reference} 8000", clock=clock)) == ["utter_status_locked"]
    clock.now = first_miss + timedelta(hours=24, minutes=1)  # the first miss has left the window
    assert payloads(await _ask(f"查询进度 {reference} 8000", clock=clock))[0]["found"] is True


async def test_a_locked_unknown_reference_looks_like_a_locked_real_one(directory_db: str) -> None:
    """The lock counts misses, not referrals: it cannot tell anyone whether a reference exists."""
    clock = Clock()
    for n in range(5):
        await _ask(f"查询进度 QY-000101-AAAA-AAAA {1000 + n}", sender=f"guesser-{n}", clock=clock)
    dispatcher = await _ask("查询进度 QY-000101-AAAA-AAAA 8000", sender="someone", clock=clock)
    assert responses(dispatcher) == ["utter_status_locked"]


async def test_one_client_is_locked_on_every_reference(
    directory_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = [_referral(directory_db, f"k{n}") for n in range(3)]
    monkeypatch.setenv("STATUS_MISSES_PER_CLIENT", "4")
    get_settings.cache_clear()
    clock = Clock()
    for n in range(4):  # a few wrong guesses on each of several references
        await _ask(f"查询进度 {references[n % 2]} {1000 + n}", sender="scanner", clock=clock)
    assert responses(await _ask(f"查询进度 {references[2]} 8000", sender="scanner", clock=clock)) == [
        "utter_status_locked"
    ]
    assert payloads(await _ask(f"查询进度 {references[2]} 8000", sender="someone", clock=clock))[0]["found"]


async def test_a_client_keeps_its_count_across_a_key_rotation(
    directory_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _referral(directory_db)
    monkeypatch.setenv("STATUS_MISSES_PER_CLIENT", "2")
    get_settings.cache_clear()
    clock = Clock()
    for n in range(2):
        await _ask(f"查询进度 QY-000101-AAAA-AAA{n + 2} 1234", sender="scanner", clock=clock)
    old = get_settings().secret_key
    monkeypatch.setenv("SECRET_KEY", "a-brand-new-key-after-rotation-0123456789")
    monkeypatch.setenv("SECRET_KEY_PREVIOUS", old)
    get_settings.cache_clear()
    assert responses(await _ask(f"查询进度 {reference} 8000", sender="scanner", clock=clock)) == [
        "utter_status_locked"
    ]
