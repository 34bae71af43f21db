"""One referral in the console: who may see and act on it, the status actions, transfer, and CSRF checks."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bot import services
from bot.db.models import Notification, Referral
from bot.db.session import session_scope
from tests.mediation.referral_factory import store_referral
from tests.web.conftest import csrf, login

ORG_A, ORG_B = "V441802006001", "T441881112"  # mediator_a's and mediator_b's organizations
LABELS = services.catalog().statuses.labels  # what citizens and staff read for each status


def _referral(db_url: str, key: str, org_id: str, channel: str = "wechat") -> str:
    return store_referral(db_url, key, org_id, description="楼上漏水，电话13800138000", channel=channel)


def _stored(db_url: str, reference: str) -> Referral:
    with session_scope(db_url) as s:
        referral = s.execute(select(Referral).where(Referral.reference == reference)).scalar_one()
        referral.events  # load the history before the session closes  # noqa: B018
        return referral


def _act(client: FlaskClient, reference: str, **form: str):
    token = csrf(client, f"/console/referrals/{reference}")
    return client.post(f"/console/referrals/{reference}/status", data={"csrf_token": token, **form})


@pytest.fixture
def own(directory_db: str, users: dict) -> str:
    return _referral(directory_db, "k-own", ORG_A)


@pytest.fixture
def other(directory_db: str, users: dict) -> str:
    return _referral(directory_db, "k-other", ORG_B)


def test_mediator_walks_own_referral_through_the_workflow(
    client: FlaskClient, directory_db: str, own: str
) -> None:
    login(client, "mediator_a")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "13800138000" in page and "王小明" in page
    buttons = re.findall(r'name="status" value="(\w+)"', page)
    assert buttons == ["accepted", "declined", "withdrawn"] and 'name="q"' in page  # transfer: search first

    answer = _act(client, own, status="accepted", note="已电话联系")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/console/referrals/{own}")
    _act(client, own, status="in_mediation")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "状态已更新为：调解中" in page  # the flashed confirmation
    assert re.findall(r'name="status" value="(\w+)"', page) == ["resolved", "unresolved", "withdrawn"]
    for text in ("已受理", "已电话联系", "mediator_a", "调解中"):
        assert text in page.split("处理记录")[1]

    assert _act(client, own, status="resolved", note="双方签订协议").status_code == 303
    referral = _stored(directory_db, own)
    assert referral.status == "resolved"
    assert [(e.status, e.actor) for e in referral.events] == [
        ("submitted", "system"),
        ("accepted", "mediator_a"),
        ("in_mediation", "mediator_a"),
        ("resolved", "mediator_a"),
    ]
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert 'name="status"' not in page  # final: no more actions
    with session_scope(directory_db) as s:  # the WeChat applicant's notice is queued
        assert s.execute(select(Notification.referral_status)).scalars().all() == ["resolved"]


def test_another_organizations_referral_is_not_found(
    client: FlaskClient, directory_db: str, own: str, other: str
) -> None:
    login(client, "mediator_a")
    assert client.get(f"/console/referrals/{other}").status_code == 404
    assert client.get("/console/referrals/QY-20990101-0001").status_code == 404
    token = csrf(client, f"/console/referrals/{own}")
    answer = client.post(
        f"/console/referrals/{other}/status", data={"csrf_token": token, "status": "accepted"}
    )
    assert answer.status_code == 404
    assert _stored(directory_db, other).status == "submitted"


def test_educators_see_no_referral(client: FlaskClient, directory_db: str, own: str) -> None:
    login(client, "educator")
    assert client.get(f"/console/referrals/{own}").status_code == 403
    token = csrf(client, "/console/questions")
    answer = client.post(f"/console/referrals/{own}/status", data={"csrf_token": token, "status": "accepted"})
    assert answer.status_code == 403
    assert _stored(directory_db, own).status == "submitted"


def test_admin_sees_masked_details_and_cannot_act(client: FlaskClient, directory_db: str, own: str) -> None:
    login(client, "admin")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page and "王小明" not in page
    assert 'name="status"' not in page and "处理记录" in page
    token = csrf(client, f"/console/referrals/{own}")
    answer = client.post(f"/console/referrals/{own}/status", data={"csrf_token": token, "status": "accepted"})
    assert answer.status_code == 403
    assert _stored(directory_db, own).status == "submitted"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_posts_without_the_sessions_csrf_token_are_refused(
    client: FlaskClient, directory_db: str, own: str, token: str | None
) -> None:
    login(client, "mediator_a")
    client.get(f"/console/referrals/{own}")  # the session has a token now
    data = {"status": "accepted"} | ({} if token is None else {"csrf_token": token})
    answer = client.post(f"/console/referrals/{own}/status", data=data)
    assert answer.status_code == 400 and "刷新" in answer.get_data(as_text=True)
    assert _stored(directory_db, own).status == "submitted"
    assert client.post("/console/logout", data=data).status_code == 400
    assert client.get("/console/referrals").status_code == 200  # still logged in


def test_login_needs_the_csrf_token_too(client: FlaskClient, users: dict) -> None:
    data = {"username": "mediator_a", "password": users["password"]}
    assert client.post("/console/login", data=data).status_code == 400
    assert client.get("/console/referrals").status_code == 302  # not logged in


def test_another_sessions_token_does_not_work(app, client: FlaskClient, directory_db: str, own: str) -> None:
    login(client, "mediator_a")
    stranger = app.test_client()
    login(stranger, "mediator_a")
    foreign = csrf(stranger, f"/console/referrals/{own}")
    answer = client.post(
        f"/console/referrals/{own}/status", data={"csrf_token": foreign, "status": "accepted"}
    )
    assert answer.status_code == 400


@pytest.mark.parametrize("status", ["declined", "resolved", "no_such_status"])
def test_refused_actions_explain_and_change_nothing(
    client: FlaskClient, directory_db: str, own: str, status: str
) -> None:
    login(client, "mediator_a")
    answer = _act(client, own, status=status, note="")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'role="alert"' in page and ("请填写说明" in page or "不能进行这个操作" in page)
    assert _stored(directory_db, own).status == "submitted"
    assert _act(client, own, status="declined", note="不属于人民调解范围").status_code == 303
    assert _stored(directory_db, own).status == "declined"


def test_transfer_by_searching_the_directory(client: FlaskClient, directory_db: str, own: str) -> None:
    login(client, "mediator_a")
    page = client.get(f"/console/referrals/{own}?q=英德").get_data(as_text=True)
    assert len(re.findall(r'name="target_org"', page)) == 20  # 300+ names match; 20 are shown
    page = client.get(f"/console/referrals/{own}?q=浛洸镇").get_data(as_text=True)
    assert ORG_B in re.findall(r'name="target_org" value="([^"]+)"', page)
    page = client.get(f"/console/referrals/{own}?q=高基里社区").get_data(as_text=True)
    assert re.findall(r'name="target_org"', page) == []  # never the organization that has it
    page = client.get(f"/console/referrals/{own}?q=%25").get_data(as_text=True)  # "%" is text, not a wildcard
    assert re.findall(r'name="target_org"', page) == []
    page = client.get(f"/console/referrals/{own}?q=不存在的组织").get_data(as_text=True)
    assert "没有找到" in page

    answer = _act(client, own, status="transferred", target_org=ORG_B, note="属英德市管辖")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/console/referrals")
    assert "已转交给" in client.get("/console/referrals").get_data(as_text=True)
    assert client.get(f"/console/referrals/{own}").status_code == 404  # no longer ours
    referral = _stored(directory_db, own)
    assert (referral.status, referral.org_id) == ("submitted", ORG_B)

    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/referrals")})
    login(client, "mediator_b")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    history = page.split("处理记录")[1]
    assert LABELS["transferred"] in history and "属英德市管辖" in history and "mediator_a" in history
    assert re.findall(r'name="status" value="(\w+)"', page)[0] == "accepted"
    assert _act(client, own, status="accepted").status_code == 303


@pytest.mark.parametrize("target", ["", ORG_A, "NO-SUCH-ORG"])
def test_transfer_needs_another_existing_organization(
    client: FlaskClient, directory_db: str, own: str, target: str
) -> None:
    login(client, "mediator_a")
    answer = _act(client, own, status="transferred", target_org=target)
    assert answer.status_code == 400 and "请选择要转交的其他调解组织" in answer.get_data(as_text=True)
    assert _stored(directory_db, own).org_id == ORG_A


def test_list_links_to_the_detail_page(client: FlaskClient, own: str) -> None:
    login(client, "mediator_a")
    page = client.get("/console/referrals").get_data(as_text=True)
    assert f'href="/console/referrals/{own}"' in page and LABELS["submitted"] in page


def test_a_referral_anonymised_by_retention_says_so_instead_of_failing(
    client: FlaskClient, directory_db: str, own: str
) -> None:
    from datetime import datetime, timedelta, timezone

    from bot.retention import apply_retention
    from bot.settings import get_settings
    from bot.yamlfile import read_yaml

    login(client, "mediator_a")
    _act(client, own, status="withdrawn")
    later = datetime.now(timezone.utc) + timedelta(days=800)  # past the 24 months
    with session_scope(directory_db) as s:
        assert apply_retention(s, services.catalog().statuses, later, 24, 12).referrals_anonymised == 1
    gone = read_yaml(get_settings().knowledge_dir / "messages.yml")["console_anonymised"]
    for user in ("mediator_a", "admin"):
        login(client, user)
        for page in (client.get(f"/console/referrals/{own}"), client.get("/console/referrals")):
            text = page.get_data(as_text=True)
            assert page.status_code == 200 and gone in text
            assert "王小明" not in text and "13800138000" not in text and "楼上漏水" not in text


def _aged(db_url: str, reference: str, created: str, updated: str | None = None) -> None:
    from datetime import datetime, timezone

    with session_scope(db_url) as s:
        referral = s.execute(select(Referral).where(Referral.reference == reference)).scalar_one()
        referral.created_at = datetime.fromisoformat(created).replace(tzinfo=timezone.utc)
        referral.updated_at = datetime.fromisoformat(updated or created).replace(tzinfo=timezone.utc)


def test_the_console_speaks_the_mediators_language(client: FlaskClient, directory_db: str, own: str) -> None:
    """Dispute type and channel by their Chinese names, times in Beijing time, nothing as a raw code."""
    _aged(directory_db, own, "2026-12-07T23:30:00")
    login(client, "mediator_a")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "<td>微信公众号</td>" in page and ">wechat<" not in page
    assert "2026-12-08 07:30（北京时间）" in page  # 23:30 UTC is 07:30 the next morning in Qingyuan
    inbox = client.get("/console/referrals").get_data(as_text=True)
    assert "2026-12-08 07:30" in inbox
    stored = _stored(directory_db, own)
    label = services.catalog().dispute_types.names[stored.dispute_type]
    assert f"<td>{label}</td>" in page and f"<td>{label}</td>" in inbox
    assert f"<td>{stored.dispute_type}</td>" not in page


def test_the_inbox_filters_by_status_and_sorts_by_waiting_time(
    client: FlaskClient, directory_db: str, own: str
) -> None:
    older = _referral(directory_db, "k-older", ORG_A)
    closed = _referral(directory_db, "k-closed", ORG_A)
    _aged(directory_db, own, "2026-12-01T02:00:00")
    _aged(directory_db, older, "2026-11-20T02:00:00", "2026-11-20T02:00:00")
    _aged(directory_db, closed, "2026-11-01T02:00:00")
    with session_scope(directory_db) as s:
        s.execute(select(Referral).where(Referral.reference == closed)).scalar_one().status = "resolved"
    login(client, "mediator_a")

    def listed(query: str) -> list[str]:
        page = client.get(f"/console/referrals{query}").get_data(as_text=True)
        found = re.findall(r"QY-[0-9A-Z-]+", page.split("<tbody>", 1)[1]) if "<tbody>" in page else []
        return list(dict.fromkeys(found))  # each row names its reference in the link and its text

    assert listed("") == [own, older, closed]  # newest first
    assert listed("?sort=waiting") == [older, own]  # the longest waiting first, closed cases left out
    assert listed("?status=resolved") == [closed]
    assert listed("?status=nonsense") == [own, older, closed]  # an unknown status filters nothing
    waiting = client.get("/console/referrals?sort=waiting").get_data(as_text=True)
    assert "天" in waiting.split(older, 1)[1].split("</tr>", 1)[0]  # waited days, in words


def test_the_referral_page_shows_whether_the_organization_was_told(
    client: FlaskClient, directory_db: str, own: str
) -> None:
    from bot.db.models import OrgNotice

    login(client, "mediator_a")
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "通知调解组织" in page and "新申请" in page and "等待发送" in page
    with session_scope(directory_db) as s:
        notice = s.execute(select(OrgNotice)).scalars().first()
        notice.status, notice.attempts, notice.last_error = "failed", 6, "http_503"
    page = client.get(f"/console/referrals/{own}").get_data(as_text=True)
    assert "发送失败（已停止重试）（http_503）" in page and "6 次" in page
    inbox = client.get("/console/referrals").get_data(as_text=True)
    assert "通知组织失败" in inbox
