"""Hostile input on the WeChat webhook: unsafe or malformed XML (XXE, billion laughs, DOCTYPE, deep or nested
fields), oversized and undecodable bodies, forged, replayed and encrypted-garbage messages all get a 4xx before
the bot sees them; odd text is cleaned; a flooding OpenID gets a polite reply; hypothesis drives the XML entry."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import AsyncIterator

import pytest
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.inbound import MAX_BODY_BYTES, Inbound, Refused, check_xml, read_message, signature
from tests.channels.wechat.conftest import AES_KEY, APP_ID, OPENID, TOKEN, FakeAPI, WeChat, running

HEAD = "<ToUserName>gh_qingyuan</ToUserName><FromUserName>oUser</FromUserName><CreateTime>1700000000</CreateTime>"
TEXT = HEAD + "<MsgType>text</MsgType><MsgId>6000000001</MsgId>"
LAUGHS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)
UNSAFE = {
    "xxe": f'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml>{TEXT}<Content>&xxe;</Content></xml>',
    "billion laughs": f"<!DOCTYPE xml [{LAUGHS}]><xml>{TEXT}<Content>&lol9;</Content></xml>",
    "external dtd": f'<!DOCTYPE xml SYSTEM "http://203.0.113.1/x.dtd"><xml>{TEXT}<Content>a</Content></xml>',
    "parameter entity": f'<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://203.0.113.1/p"> %p;]><xml>{TEXT}</xml>',
    "bare doctype": f"<!DOCTYPE xml><xml>{TEXT}<Content>a</Content></xml>",
    "processing instruction": f'<?xml-stylesheet href="x.xsl"?><xml>{TEXT}<Content>a</Content></xml>',
    "other encoding": f'<?xml version="1.0" encoding="GBK"?><xml>{TEXT}<Content>a</Content></xml>',
    "undefined entity": f"<xml>{TEXT}<Content>&nbsp;</Content></xml>",
    "control character reference": f"<xml>{TEXT}<Content>&#1;</Content></xml>",
    "deep": f"<xml>{TEXT}<Content>{'<a>' * 10}x{'</a>' * 10}</Content></xml>",
    "many elements": f"<xml>{TEXT}<Content>a</Content>{'<x/>' * 300}</xml>",
}
MALFORMED = {
    "nested content": f"<xml>{TEXT}<Content><b>你好</b></Content></xml>",
    "repeated content": f"<xml>{TEXT}<Content>一</Content><Content>二</Content></xml>",
    "attribute": f'<xml>{TEXT}<Content lang="zh">你好</Content></xml>',
    "nested sender": f"<xml>{TEXT.replace('oUser', '<a>o</a>')}<Content>你好</Content></xml>",
    "huge time": HEAD.replace("1700000000", "9" * 40) + "<MsgType>event</MsgType><Event>subscribe</Event>",
    "wrong root": f"<message>{TEXT}<Content>你好</Content></message>",
    "no message type": f"<xml>{HEAD}<Content>你好</Content></xml>",
    "number as message id": f"<xml>{TEXT.replace('6000000001', '6e9')}<Content>你好</Content></xml>",
}


@pytest.mark.parametrize("name", list(UNSAFE))
def test_unsafe_xml_is_refused_before_any_parser_expands_it(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        read_message(UNSAFE[name].encode(), {}, None)
    assert refused.value.status == 400 and time.monotonic() - started < 0.5


@pytest.mark.parametrize("name", list(MALFORMED))
def test_fields_that_are_not_plain_text_are_refused(name: str) -> None:
    body = MALFORMED[name] if MALFORMED[name].startswith("<") else f"<xml>{MALFORMED[name]}</xml>"
    with pytest.raises(Refused) as refused:
        read_message(body.encode(), {}, None)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"<xml>" + b"<Content>" + b"a" * MAX_BODY_BYTES + b"</Content></xml>", 413),
        (f"<xml>{TEXT}<Content>".encode() + b"\xff\xfe\xc3" + b"</Content></xml>", 400),
        (b"<xml>\x00</xml>", 400),
        (b"", 400),
        (b"\xef\xbb\xbf", 400),
    ],
)
def test_oversized_and_undecodable_bodies(body: bytes, status: int) -> None:
    with pytest.raises(Refused) as refused:
        read_message(body, {}, None)
    assert refused.value.status == status


def test_the_xml_weChat_sends_passes() -> None:
    menu = HEAD + "<MsgType>event</MsgType><Event>scancode_waitmsg</Event><EventKey>k</EventKey>"
    menu += "<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"
    check_xml(f'<?xml version="1.0" encoding="utf-8"?><xml>{menu}</xml>'.encode())
    inbound = read_message(f"<xml>{TEXT}<Content><![CDATA[你好 <b>&]]></Content></xml>".encode(), {}, None)
    assert (inbound.openid, inbound.kind, inbound.key) == ("oUser", "text", "msg:6000000001")
    assert inbound.message.content == "你好 <b>&"


@pytest.mark.parametrize("name", ["xxe", "billion laughs"])
async def test_unsafe_xml_over_http_is_a_400(wechat: WeChat, name: str) -> None:
    assert (await wechat.post(UNSAFE[name]))[0] == 400
    assert wechat.bot.received == []


async def test_odd_text_reaches_the_bot_clean(wechat: WeChat) -> None:
    for text in ("\u202e欠薪\x7f了", "😀😀", "<script>alert(1)</script>", "'; DROP TABLE referrals; --"):
        await wechat.say(text)
    assert wechat.bot.texts == ["欠薪了", "😀😀", "<script>alert(1)</script>", "'; DROP TABLE referrals; --"]
    reply = await wechat.say("\x7f\u202e ")  # nothing left: asked to type something
    assert reply == wechat.channel.messages["empty_message"]
    reply = await wechat.say("长" * 10_000)
    assert reply == wechat.channel.messages["too_long"].format(limit=1000) and len(wechat.bot.received) == 4


async def test_an_exact_replay_is_answered_once(wechat: WeChat) -> None:
    body, query = wechat.xml("text", Content="你好"), wechat.query()
    first, again = await wechat.post(body, query), await wechat.post(body, query)
    assert first[0] == 200 and again == (200, "success") and wechat.bot.texts == ["你好"]
    old = wechat.query(age=600)
    assert (await wechat.post(wechat.xml("text", Content="旧消息"), old))[0] == 403


async def test_safe_mode_garbage(api: FakeAPI, wechat_db: str) -> None:
    async with running(api, wechat_db, aes_key=AES_KEY) as wechat:
        query = wechat.query()
        assert (await wechat.post(UNSAFE["xxe"], query, seal=False))[
            0
        ] == 400  # the envelope is checked first
        for encrypt in ("!!!not base64!!!", base64.b64encode(os.urandom(64)).decode(), ""):
            signed = {**query, "msg_signature": signature(TOKEN, query["timestamp"], query["nonce"], encrypt)}
            body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{encrypt}</Encrypt></xml>"
            assert (await wechat.post(body, signed, seal=False))[0] in (400, 403)
        no_encrypt = {**query, "msg_signature": "0" * 40}
        assert (await wechat.post("<xml><ToUserName>gh</ToUserName></xml>", no_encrypt, seal=False))[0] == 400
        # Sealed with our key but for another account: refused as not ours.
        other = WeChatCrypto(TOKEN, AES_KEY, "wx_other_account")
        sealed = xmltodict.parse(other.encrypt_message("<xml/>", query["nonce"], query["timestamp"]))["xml"]
        body = f"<xml><Encrypt>{sealed['Encrypt']}</Encrypt></xml>"
        assert (await wechat.post(body, {**query, "msg_signature": sealed["MsgSignature"]}, seal=False))[
            0
        ] == 403
        # Sealed correctly, but the XML inside is hostile.
        inner, inner_query = wechat.seal(UNSAFE["billion laughs"], wechat.query())
        assert (await wechat.post(inner, inner_query, seal=False))[0] == 400
        assert wechat.bot.received == []
        assert await wechat.say("你好") == "收到：你好"


async def test_a_flooding_openid_gets_a_polite_reply(api: FakeAPI, wechat_db: str) -> None:
    async with running(api, wechat_db, wechat_limit_per_openid=2) as wechat:
        first = wechat.xml("text", Content="一")
        assert wechat.reply((await wechat.post(first))[1])["Content"] == "收到：一"
        assert await wechat.post(first) == (200, "success")  # WeChat's retry is not counted
        await wechat.post(wechat.xml("image", MediaId="m"))  # canned replies are not counted either
        assert await wechat.say("二") == "收到：二"
        started = time.monotonic()
        refused = await wechat.say("三")
        assert refused.startswith(wechat.channel.messages["rate_limited"].split("{")[0])
        assert "110" in refused and time.monotonic() - started < 1
        other = wechat.xml("text", Content="别人", FromUserName="oSomeoneElse")
        assert wechat.reply((await wechat.post(other))[1])["Content"] == "收到：别人"
        assert wechat.bot.texts == ["一", "二", "别人"]


# Property-based: whatever WeChat (or anyone) posts, the entry point parses a message or refuses with a 4xx.

NAMES = st.sampled_from(["xml", "Content", "MsgType", "FromUserName", "MsgId", "Event", "a", "Encrypt"])
LEAVES = st.text(max_size=30).map(lambda t: xmltodict.unparse({"r": t}, full_document=False)[3:-4])
XMLISH = st.recursive(
    LEAVES,
    lambda inner: st.tuples(NAMES, st.lists(inner, max_size=4)).map(
        lambda pair: f"<{pair[0]}>{''.join(pair[1])}</{pair[0]}>"
    ),
    max_leaves=20,
)
MESSAGE_XML = st.builds(
    lambda msg_type, content, extra: f"<xml>{HEAD}<MsgType>{msg_type}</MsgType>{content}{extra}</xml>",
    st.sampled_from(["text", "event", "voice", "image", "", "TEXT"]),
    XMLISH,
    st.sampled_from(["", "<MsgId>1</MsgId>", "<MsgId>x</MsgId>", "<Event>subscribe</Event>"]),
)


def check_entry(body: bytes, crypto: WeChatCrypto | None, query: dict[str, str]) -> None:
    try:
        inbound = read_message(body, query, crypto)
    except Refused as refused:
        assert refused.status in (400, 403, 413)
        return
    assert isinstance(inbound, Inbound) and inbound.openid and isinstance(inbound.kind, str)
    for field in ("Content", "FromUserName", "MsgType"):
        assert isinstance(inbound.message._data.get(field), (str, type(None)))


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=512) | XMLISH.map(str.encode) | MESSAGE_XML.map(str.encode))
def test_any_plain_body_is_parsed_or_refused(body: bytes) -> None:
    check_entry(body, None, {})


@settings(max_examples=100, deadline=None)
@given(encrypt=st.text(max_size=200), signed=st.booleans())
def test_any_safe_mode_body_is_parsed_or_refused(encrypt: str, signed: bool) -> None:
    query = {"timestamp": "1700000000", "nonce": "n"}
    query["msg_signature"] = signature(TOKEN, "1700000000", "n", encrypt) if signed else "0" * 40
    body = xmltodict.unparse({"xml": {"ToUserName": "gh", "Encrypt": encrypt}}, full_document=False)
    check_entry(body.encode("utf-8", "surrogatepass"), WeChatCrypto(TOKEN, AES_KEY, APP_ID), query)


@pytest.fixture
async def open_wechat(api: FakeAPI, wechat_db: str) -> AsyncIterator[WeChat]:
    async with running(api, wechat_db, wechat_limit_per_openid=0) as harness:
        yield harness


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_any_text_over_http_gets_a_chinese_reply_or_a_400(open_wechat: WeChat, text: str) -> None:
    before = len(open_wechat.bot.received)
    status, body = await open_wechat.post(open_wechat.xml("text", Content=text))
    if status == 400:  # text with characters XML cannot carry: WeChat never sends it
        assert len(open_wechat.bot.received) == before
        return
    assert status == 200
    reply = open_wechat.reply(body)
    assert reply["ToUserName"] == OPENID and any("\u4e00" <= ch <= "\u9fff" for ch in reply["Content"])
    if len(open_wechat.bot.received) > before:
        received = open_wechat.bot.received[-1].text or ""
        assert (
            received == received.strip()
            and "\x00" not in received
            and reply["Content"] == f"收到：{received}"
        )
