"""Console access: mediators see only their organization's referrals; educators see masked questions only."""

from flask.testing import FlaskClient

from bot.db.session import session_scope
from bot.legal.question_log import log_question
from tests.mediation.referral_factory import store_referral
from tests.web.conftest import login


def _referral(db_url: str, key: str, org_id: str, phone: str) -> str:
    return store_referral(db_url, key, org_id, phone=phone, counterparty="", description="")


def test_login_is_required(client: FlaskClient) -> None:
    assert client.get("/console/referrals").status_code == 302
    assert login(client, "nobody", "wrong password!").status_code == 401


def test_mediator_sees_only_own_referrals_with_contact(
    client: FlaskClient, users: dict, directory_db: str
) -> None:
    """The inbox lists only the organization's referrals, contacts masked; the referral's own page shows them."""
    own = _referral(directory_db, "k1", "V441802006001", "13800138000")
    other = _referral(directory_db, "k2", "T441881112", "13911112222")
    assert login(client, "mediator_a").status_code == 302
    page = client.get("/console/referrals").get_data(as_text=True)
    assert own in page and "138****8000" in page
    assert "13800138000" not in page and "王小明" not in page
    assert other not in page and "1391111" not in page
    detail = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "13800138000" in detail and "王小明" in detail
    assert client.get(f"/console/referrals/{other}").status_code == 404
    assert client.get("/console/questions").status_code == 403


def test_admin_sees_all_but_masked(client: FlaskClient, users: dict, directory_db: str) -> None:
    _referral(directory_db, "k1", "V441802006001", "13800138000")
    login(client, "admin")
    page = client.get("/console/referrals").get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page and "王小明" not in page


def test_educator_sees_masked_questions_and_no_referrals(
    client: FlaskClient, users: dict, directory_db: str
) -> None:
    with session_scope(directory_db) as s:
        log_question(
            s,
            question="我叫王小明，电话13800138000，儿子不给赡养费",
            kind="answer",
            audience="elderly",
            channel="web",
            topic="elder_support",
            kb_id="elder_support.001",
            confidence=0.8,
        )
    login(client, "educator")
    page = client.get("/console/questions").get_data(as_text=True)
    assert "赡养费" in page and "elder_support" in page
    assert "13800138000" not in page and "王小明" not in page
    assert client.get("/console/referrals").status_code == 403
