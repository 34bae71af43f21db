"""After SECRET_KEY is rotated (the old one kept in SECRET_KEY_PREVIOUS) the console still reads what was stored
under the old key, staff stay logged in, and new data is written under the new key."""

import pytest
from flask import Flask
from sqlalchemy import select

from bot import services
from bot.db.models import Referral
from bot.db.session import session_scope
from bot.privacy import PiiCipher
from bot.settings import get_settings
from bot.web import create_app
from tests.mediation.referral_factory import store_referral
from tests.web.conftest import login

NEW_KEY = "the-new-secret-key-after-rotation-0123456789abcdef"


def _rotate(monkeypatch: pytest.MonkeyPatch, previous: str) -> Flask:
    monkeypatch.setenv("SECRET_KEY", NEW_KEY)
    monkeypatch.setenv("SECRET_KEY_PREVIOUS", previous)
    get_settings.cache_clear()
    services.reset()
    return create_app(get_settings(), {"TESTING": True})


def test_console_reads_old_data_and_keeps_sessions_after_rotation(
    app: Flask, directory_db: str, users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = get_settings().secret_key
    reference = store_referral(directory_db, "k-old", "V441802006001", channel="web")
    before = app.test_client()
    login(before, "mediator_a")
    cookie = before.get_cookie("session")
    assert cookie is not None

    after = _rotate(monkeypatch, f"some-even-older-key,{old_key}").test_client()
    after.set_cookie("session", cookie.value)  # the browser keeps the cookie signed with the old key
    page = after.get(f"/console/referrals/{reference}")
    assert page.status_code == 200  # still logged in, and no decryption error
    assert "13800138000" in page.get_data(as_text=True) and "王小明" in page.get_data(as_text=True)

    new_reference = store_referral(directory_db, "k-new", "V441802006001", channel="web")
    with session_scope(directory_db) as s:
        stored = s.execute(select(Referral).where(Referral.reference == new_reference)).scalar_one()
        assert PiiCipher(NEW_KEY).decrypt(stored.phone_enc) == "13800138000"  # written under the new key only
        with pytest.raises(Exception):  # noqa: B017 - the old key alone cannot read it
            PiiCipher(old_key).decrypt(stored.phone_enc)
    assert "13800138000" in after.get(f"/console/referrals/{new_reference}").get_data(as_text=True)


def test_without_the_previous_key_old_sessions_end_at_the_login_page(
    app: Flask, directory_db: str, users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = app.test_client()
    login(before, "mediator_a")
    cookie = before.get_cookie("session")
    assert cookie is not None
    after = _rotate(monkeypatch, "").test_client()
    after.set_cookie("session", cookie.value)
    answer = after.get("/console/referrals")
    assert answer.status_code in (302, 303) and "/console/login" in answer.headers["Location"]
