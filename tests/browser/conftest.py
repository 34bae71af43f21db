"""The web app served on loopback in front of the real Rasa server, and headless Chromium pages to drive it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from waitress.server import create_server

from bot.settings import Settings
from bot.web import create_app
from tests.paths import ROOT

ARTIFACTS = ROOT / "var" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
REPLY_TIMEOUT_MS = 60_000


class ChatPage:
    """One citizen's browser tab on the chat page, with helpers that wait for the bot's reply."""

    def __init__(self, page: Page, hosts: set[str], errors: list[str]):
        self.page, self.hosts, self.errors = page, hosts, errors

    def bot_count(self) -> int:
        return self.page.locator("#log .msg.bot").count()

    def wait_reply(self, before: int) -> str:
        """Wait until the typing indicator is gone and new bot bubbles arrived; return their text."""
        self.page.wait_for_function(
            "n => document.getElementById('typing').hidden"
            " && document.querySelectorAll('#log .msg.bot').length > n",
            arg=before,
            timeout=REPLY_TIMEOUT_MS,
        )
        bubbles = self.page.locator("#log .msg.bot")
        return "\n".join(bubbles.nth(i).inner_text() for i in range(before, bubbles.count()))

    def open(self, url: str) -> str:
        """Load the page and wait for the welcome (or the restored conversation)."""
        self.page.goto(url)
        return self.wait_reply(0)

    def say(self, text: str) -> str:
        before = self.bot_count()
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")
        return self.wait_reply(before)

    def buttons(self) -> list[str]:
        """Titles of the quick replies that can still be clicked."""
        return self.page.locator("#log .quick:enabled").all_inner_texts()

    def click(self, title: str) -> str:
        before = self.bot_count()
        exact = re.compile(f"^{re.escape(title)}$")  # "同意" must not match "不同意"
        self.page.locator("#log .quick:enabled").filter(has_text=exact).last.click()
        return self.wait_reply(before)

    def shot(self, name: str) -> Path:
        """A screenshot of what the citizen sees now, kept in var/test-artifacts/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="session")
def web_url(rasa_server: str, stack_db: str) -> Iterator[str]:
    """bot.web served by waitress on a free loopback port, forwarding /api/chat to the real Rasa server."""
    app = create_app(Settings(rasa_url=rasa_server, database_url=stack_db))
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="qybot-test")
    thread = threading.Thread(target=server.run, name="web-app", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.task_dispatcher.shutdown()
    server.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (scripts/install-system-deps.sh installs it); Playwright downloads no browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh`")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_chat(browser: Browser, web_url: str) -> Iterator[Callable[..., ChatPage]]:
    """Opens the chat in a fresh browser profile; afterwards checks only 127.0.0.1 was contacted, no JS error."""
    opened: list[ChatPage] = []

    def factory(viewport: dict[str, int] = PHONE) -> ChatPage:
        scale = 2 if viewport["width"] < 800 else 1  # phone screenshots as sharp as on a real phone
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=scale)
        hosts: set[str] = set()
        errors: list[str] = []
        context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or request.url))
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        chat = ChatPage(page, hosts, errors)
        chat.open(web_url)
        opened.append(chat)
        return chat

    yield factory
    for chat in opened:
        chat.page.context.close()
    for chat in opened:
        assert chat.hosts <= {"127.0.0.1"}, f"the page contacted other hosts: {chat.hosts}"
        assert not chat.errors, chat.errors
