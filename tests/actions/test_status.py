"""Status queries reveal nothing without the right reference and phone digits, and stop after repeated misses."""

from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionReferralStatus
from tests.actions.helpers import payloads, responses, slot, tracker
from tests.mediation.referral_factory import store_referral


def _referral(db_url: str) -> str:
    return store_referral(db_url, "k", "T441802006", applicant_name="陈", description="漏水")


async def test_right_reference_and_digits_show_the_status(directory_db: str) -> None:
    reference = _referral(directory_db)
    dispatcher = CollectingDispatcher()
    events = await ActionReferralStatus().run(
        dispatcher, tracker(f"查询进度 {reference} 8000", intent="check_status"), {}
    )
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "referral_status" and payload["found"] is True
    assert payload["status"] == "submitted" and payload["org"]["id"] == "T441802006"
    assert [h["status"] for h in payload["history"]] == ["submitted"]
    assert "13800138000" not in str(dispatcher.messages)
    assert events == [slot("status_attempts", 0)]


async def test_wrong_digits_reveal_nothing(directory_db: str) -> None:
    reference = _referral(directory_db)
    for text in (f"查询进度 {reference} 1234", "查询进度 QY-20000101-0001 8000"):
        dispatcher = CollectingDispatcher()
        events = await ActionReferralStatus().run(dispatcher, tracker(text, intent="check_status"), {})
        assert responses(dispatcher) == ["utter_status_not_found"]
        assert events == [slot("status_attempts", 1)]
        assert payloads(dispatcher) == [{"kind": "referral_status", "found": False}]


async def test_missing_digits_are_asked_for(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionReferralStatus().run(dispatcher, tracker("查询进度", intent="check_status"), {})
    assert responses(dispatcher) == ["utter_status_ask_reference"]


async def test_too_many_misses_lock_the_conversation(directory_db: str) -> None:
    reference = _referral(directory_db)
    dispatcher = CollectingDispatcher()
    slots = {"status_attempts": 5}
    await ActionReferralStatus().run(
        dispatcher, tracker(f"查询进度 {reference} 8000", intent="check_status", slots=slots), {}
    )
    assert responses(dispatcher) == ["utter_status_locked"]
