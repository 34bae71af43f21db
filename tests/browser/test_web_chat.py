"""The web chat in headless Chromium at phone width: welcome, cited answers, intake, large text, reload, reconnect."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Route, expect
from sqlalchemy import select

from bot.db.models import Referral
from bot.db.session import session_scope
from bot.mediation.references import ALPHABET
from tests.browser.conftest import DESKTOP, ChatPage

pytestmark = [pytest.mark.model, pytest.mark.server]
OpenChat = Callable[..., ChatPage]
REFERENCE = re.compile(rf"QY-\d{{6}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def font_size(locator: Locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def fits_width(chat: ChatPage) -> bool:
    """Nothing sticks out sideways (no horizontal scrolling on a phone)."""
    return bool(chat.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def ask_elderly_question(chat: ChatPage) -> str:
    chat.click("老年人")
    return chat.say("儿子不给我赡养费怎么办")


def test_welcome_offers_three_audiences(open_chat: OpenChat) -> None:
    chat = open_chat()
    expect(chat.page).to_have_title("清远普法调解助手")
    assert "清远普法调解助手" in chat.page.locator("#log .msg.bot").first.inner_text()
    assert chat.buttons() == ["学生 / 年轻人", "老年人", "其他"]
    assert fits_width(chat)
    chat.shot("01-welcome")


def test_answer_cites_the_law_and_gets_simpler(open_chat: OpenChat) -> None:
    chat = open_chat()
    answer = ask_elderly_question(chat)
    assert "法律依据" in answer
    card = chat.page.locator("#log details.citation").first
    expect(card).to_be_visible()
    expect(card.locator("summary")).to_contain_text("《")
    # an amended law is named with the version quoted
    expect(
        chat.page.locator("#log details.citation summary", has_text="（2018年修正）").first
    ).to_be_visible()
    article = card.locator(".article-text")
    expect(article).to_be_hidden()
    chat.shot("02-answer")
    card.locator("summary").click()
    expect(article).to_be_visible()
    assert len(article.inner_text()) > 20
    card.scroll_into_view_if_needed()
    chat.shot("03-citation-open")
    short = chat.say("说简单点")
    assert short.startswith("简单说") and len(short) < len(answer)
    assert fits_width(chat)
    chat.page.locator("#log .msg.bot").last.locator("details.citation summary").first.click()
    chat.shot("04-simpler")  # the picture in docs/screenshot-chat.png


def test_mediation_intake_through_the_page(open_chat: OpenChat, stack_db: str) -> None:
    chat = open_chat()
    chat.say("我想申请调解")
    assert "邻里" in chat.buttons()
    chat.shot("05-intake-types")
    chat.click("邻里")
    chat.say("清城区凤城街道高基里社区")
    chat.say("楼上邻居")
    chat.say("楼上卫生间漏水三个月了，说了几次都不肯修")
    assert chat.buttons() == ["没有", "已经有了"]
    chat.click("没有")
    assert chat.buttons() == ["同意", "不同意"]
    chat.click("同意")
    chat.say("陈女士")
    readback = chat.say("13800138000")
    assert "13800138000" in readback and "确认提交" in chat.buttons()
    chat.shot("06-intake-readback")
    chat.click("确认提交")
    card = chat.page.locator("#log .card.referral").last
    expect(card).to_be_visible()
    reference = REFERENCE.search(card.inner_text())
    assert reference, card.inner_text()
    assert "高基里社区人民调解委员会" in card.inner_text()
    assert chat.buttons() == []  # the answered questions' buttons cannot be pressed again
    chat.shot("07-intake-reference")
    with session_scope(stack_db) as session:
        stored = session.execute(select(Referral).where(Referral.reference == reference.group())).scalar_one()
        assert (stored.dispute_type, stored.org_id) == ("neighbor", "V441802006001")


def test_enter_that_picks_a_pinyin_candidate_does_not_send(open_chat: OpenChat) -> None:
    chat = open_chat()
    chat.page.fill("#message", "zinv")
    chat.page.dispatch_event("#message", "keydown", {"key": "Enter", "isComposing": True})
    chat.page.wait_for_timeout(300)
    assert chat.page.locator("#log .msg.user").count() == 0
    expect(chat.page.locator("#message")).to_have_value("zinv")


def test_large_text_grows_and_is_remembered(open_chat: OpenChat) -> None:
    chat = open_chat()
    text = chat.page.locator("#log .msg.bot p").first
    toggle = chat.page.locator("#large-text")
    normal = font_size(text)
    toggle.click()
    large = font_size(text)
    assert large >= normal * 1.25, (normal, large)
    assert font_size(chat.page.locator("#message")) >= large
    assert font_size(chat.page.locator("#log .quick").first) > normal
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert fits_width(chat)
    chat.shot("08-large-text")
    chat.page.reload()
    chat.wait_reply(0)
    expect(chat.page.locator("body")).to_have_class(re.compile(r"\blarge\b"))
    assert font_size(chat.page.locator("#log .msg.bot p").first) == large
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    chat.page.reload()
    chat.wait_reply(0)
    assert font_size(chat.page.locator("#log .msg.bot p").first) == normal


SENDER = "sessionStorage.getItem('qy-sender')"


def test_reload_keeps_history_and_sender(open_chat: OpenChat, web_url: str) -> None:
    chat = open_chat()
    ask_elderly_question(chat)
    shown = chat.page.locator("#log .msg").all_inner_texts()
    sender = chat.page.evaluate(SENDER)
    assert re.fullmatch(r"[0-9a-f]{32}", sender)
    sent: list[dict] = []
    chat.page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/chat") else None)
    chat.page.reload()
    chat.wait_reply(0)
    assert chat.page.locator("#log .msg").all_inner_texts() == shown
    assert sent == []  # the welcome is not asked for again
    assert chat.page.evaluate(SENDER) == sender
    short = chat.say("说简单点")  # Rasa still knows the last question: it is the same conversation
    assert short.startswith("简单说")
    assert [body["sender"] for body in sent] == [sender]
    chat.shot("09-after-reload")
    # A new tab (or the next person on a shared phone) starts its own conversation, not this one.
    other = ChatPage(chat.page.context.new_page(), chat.hosts, chat.errors)
    other.open(web_url)
    assert other.page.evaluate(SENDER) != sender
    assert other.page.locator("#log .msg.user").count() == 0


def test_reconnects_after_a_dropped_connection(open_chat: OpenChat) -> None:
    chat = open_chat()
    chat.click("其他")
    failures = {"left": 1}

    def flaky(route: Route) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            route.abort("connectionreset")
        else:
            route.continue_()

    chat.page.route("**/api/chat", flaky)
    before = chat.bot_count()
    chat.page.fill("#message", "邻居漏水不赔怎么办")
    chat.page.press("#message", "Enter")
    expect(chat.page.locator("#typing")).to_contain_text("重新连接")
    chat.page.fill("#message", "还有一句")
    chat.page.press("#message", "Enter")  # while the reply is on its way: kept in the box, not lost
    reply = chat.wait_reply(before)
    assert failures["left"] == 0 and "法律依据" in reply
    assert chat.page.locator("#log .msg.user").all_inner_texts() == ["其他", "邻居漏水不赔怎么办"]
    expect(chat.page.locator("#message")).to_have_value("还有一句")
    expect(chat.page.locator("#typing")).to_be_hidden()

    failures["left"] = 99
    assert "网络连接中断" in chat.say("再说一遍")
    failures["left"] = 0
    assert "法律依据" in chat.say("再说一遍")


def test_desktop_width_keeps_a_readable_column(open_chat: OpenChat) -> None:
    chat = open_chat(DESKTOP)
    ask_elderly_question(chat)
    expect(chat.page.locator("#log details.citation").first).to_be_visible()
    column = chat.page.locator("#log").bounding_box()
    assert column and column["width"] <= 800
    assert abs(column["x"] * 2 + column["width"] - DESKTOP["width"]) < 4  # centred
    composer = chat.page.locator("#composer").bounding_box()
    assert composer and composer["y"] + composer["height"] <= DESKTOP["height"]
    assert fits_width(chat)
    chat.shot("10-desktop")
