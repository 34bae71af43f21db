"""What the WeChat webhook accepts: a signed, fresh query and a small, plain XML message (decrypted in safe mode)
whose fields are text; anything else is Refused with a 4xx before the bot or any state sees it."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 4  # <xml><ScanCodeInfo><ScanResult> (menu events) is the deepest WeChat sends
MAX_ELEMENTS = 200
# The fields the channel reads; each must be plain text (not nested, repeated or with attributes).
TEXT_FIELDS = (
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "MsgId",
    "Event",
    "Content",
    "Recognition",
    "Label",
    "Encrypt",
)
QUERY_KEYS = ("timestamp", "nonce", "signature", "msg_signature", "echostr")


class Refused(Exception):
    """The request is answered with ``status`` and the short plain ``reason`` (WeChat shows neither to anyone)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class UnsafeXML(ValueError):
    """XML that WeChat never sends: a DOCTYPE, entities, processing instructions, deep nesting, other encodings."""


@dataclass(frozen=True)
class Inbound:
    """One parsed message: wechatpy's object, the sender, its kind ("text", "event:subscribe", …) and the key
    under which a retried delivery of it is recognised."""

    message: Any
    openid: str
    kind: str
    key: str


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts (token, timestamp, nonce[, encrypted body])."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_query(token: str, query: Mapping[str, str], max_skew: float, now: float | None = None) -> None:
    """Refused (403) unless ``signature`` is right for token, timestamp and nonce, and the timestamp is fresh."""
    timestamp = query.get("timestamp", "")
    expected = signature(token, timestamp, query.get("nonce", ""))
    if not hmac.compare_digest(query.get("signature", "").encode(), expected.encode()):
        logger.warning("wechat: refused a request with a bad signature")
        raise Refused(403, "bad signature")
    try:
        skew = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        skew = float("inf")
    if skew > max_skew:
        logger.warning("wechat: refused a stale or future timestamp (possible replay)")
        raise Refused(403, "stale timestamp")


def check_xml(data: bytes) -> None:
    """Raise unless ``data`` is well-formed UTF-8 XML without DOCTYPE, entity declarations, external references
    or processing instructions, at most MAX_DEPTH deep and MAX_ELEMENTS long (so no XXE, no billion laughs)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth, elements = [0], [0]

    def refuse(*_: Any) -> None:
        raise UnsafeXML("DOCTYPE, entities and processing instructions are refused")

    def external(*_: Any) -> int:
        raise UnsafeXML("external entities are refused")

    def declaration(_version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise UnsafeXML("only UTF-8 is accepted")

    def start(*_: Any) -> None:
        depth[0] += 1
        elements[0] += 1
        if depth[0] > MAX_DEPTH or elements[0] > MAX_ELEMENTS:
            raise UnsafeXML("too deep or too many elements")

    def end(*_: Any) -> None:
        depth[0] -= 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.ExternalEntityRefHandler = external
    parser.ProcessingInstructionHandler = refuse
    parser.XmlDeclHandler = declaration
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)


def _plain_xml(body: bytes, query: Mapping[str, str], crypto: WeChatCrypto | None) -> str:
    """The message XML; in safe mode decrypted after checking msg_signature (raises on any fault)."""
    check_xml(body)
    if crypto is None:
        return body.decode("utf-8")
    msg_signature = query.get("msg_signature")
    if not msg_signature:
        raise InvalidSignatureException()
    xml = str(crypto.decrypt_message(body, msg_signature, query.get("timestamp"), query.get("nonce")))
    check_xml(xml.encode("utf-8"))
    return xml


def read_message(body: bytes, query: Mapping[str, str], crypto: WeChatCrypto | None) -> Inbound:
    """The message in a POST whose query is already checked; Refused (413, 403, 400) for anything else."""
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "too large")
    try:
        xml = _plain_xml(body, query, crypto)
    except (InvalidSignatureException, InvalidAppIdException):
        logger.warning("wechat: refused a message with a bad msg_signature or AppID")
        raise Refused(403, "bad signature") from None
    except Exception as exc:  # not XML, unsafe XML, not UTF-8, does not decrypt: the sender's fault
        logger.warning("wechat: undecodable body (%s)", type(exc).__name__)
        raise Refused(400, "bad message") from None
    try:
        message = parse_message(xml)
        fields = message._data
        if any(not isinstance(fields.get(name), (str, type(None))) for name in TEXT_FIELDS):
            raise ValueError("a field is not plain text")
        openid = str(message.source or "")
        raw_type = str(fields.get("MsgType", "")).lower()  # unknown events parse as UnknownMessage
        kind = f"event:{fields.get('Event', '')}" if raw_type == "event" else raw_type
        key = f"msg:{message.id}" if message.id else f"event:{openid}:{message.time}"
    except Exception as exc:  # wrong root, missing MsgType, non-numeric MsgId or CreateTime, nested fields…
        logger.warning("wechat: malformed message XML (%s)", type(exc).__name__)
        raise Refused(400, "bad message") from None
    if not openid:
        raise Refused(400, "bad message")
    return Inbound(message, openid, kind, key)
