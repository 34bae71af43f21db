"""Pure rendering of the bot's replies for WeChat: numbered choices, citation lines, and 2,000-byte parts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 2000  # WeChat's text limit is 2,048 bytes (passive reply and customer-service message alike)

# Coarsest boundary first: paragraph, line, sentence; a piece still too long is cut between characters.
_BOUNDARIES = (
    re.compile(r"(?<=\n\n)"),
    re.compile(r"(?<=\n)"),
    re.compile(r"(?<=[。！？；!?;])"),
)
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.。、)）]?\s*$")


@dataclass(frozen=True)
class Texts:
    """The Chinese wording the renderer adds (from knowledge/messages.yml, never from code)."""

    choose: str  # 回复数字选择：
    citations: str  # 法律依据：{citations}

    @classmethod
    def from_messages(cls, messages: Mapping[str, str]) -> Texts:
        return cls(choose=messages["wechat_choose"], citations=messages["wechat_citations"])


@dataclass(frozen=True)
class Rendered:
    """One WeChat text for a whole bot turn, and the button payloads its numbers stand for (1 = first)."""

    text: str
    payloads: tuple[str, ...] = ()


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def citation_refs(custom: Any) -> list[str]:
    """《law》article for each citation of a custom payload; the quoted article text is left out."""
    if not isinstance(custom, Mapping):
        return []
    refs = []
    for cite in custom.get("citations") or ():
        if isinstance(cite, Mapping) and cite.get("cited_as"):
            refs.append(str(cite["cited_as"]))
        elif isinstance(cite, Mapping) and cite.get("law") and cite.get("article"):
            refs.append(f"《{cite['law']}》{cite['article']}")
    return refs


_REF = re.compile(
    r"^(.*》(?:（[^）]*）)?)(第.+)$"
)  # 《name》（version） then 第N条…; a title may hold 《》 itself


def _named(ref: str, shown: str) -> bool:
    """The text already names this citation: whole, or as its law followed by the article (the answer's 法律依据
    line names each law once: 《治安管理处罚法》（2025年修订）第八十四条、第十二条)."""
    if ref in shown:
        return True
    match = _REF.match(ref)
    if match is None:
        return False
    start = shown.find(match.group(1))
    return start >= 0 and match.group(2) in shown[start:]


def render(messages: Iterable[Mapping[str, Any]], texts: Texts) -> Rendered:
    """Texts joined with blank lines; buttons as numbered options (numbered across the whole turn);
    citations of custom payloads as one 'law + article' line unless the text already names them."""
    blocks: list[str] = []
    payloads: list[str] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        if text:
            blocks.append(text)
        buttons = [b for b in message.get("buttons") or () if isinstance(b, Mapping) and b.get("payload")]
        if buttons:
            lines = [texts.choose]
            for button in buttons:
                payloads.append(str(button["payload"]))
                lines.append(f"{len(payloads)}. {button.get('title') or button['payload']}")
            blocks.append("\n".join(lines))
        shown = "\n".join(blocks)
        missing = [ref for ref in citation_refs(message.get("custom")) if not _named(ref, shown)]
        if missing:
            blocks.append(texts.citations.format(citations="；".join(missing)))
    return Rendered("\n\n".join(blocks), tuple(payloads))


def _hard_split(text: str, limit: int) -> list[str]:
    pieces, current = [], ""
    for char in text:
        if current and utf8_len(current + char) > limit:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _units(text: str, limit: int, level: int = 0) -> list[str]:
    if utf8_len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return _hard_split(text, limit)
    units: list[str] = []
    for piece in _BOUNDARIES[level].split(text):
        if piece:
            units.extend(_units(piece, limit, level + 1))
    return units


def split_text(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Parts of at most ``limit`` UTF-8 bytes, cut at the coarsest boundary that fits, in order."""
    text = text.strip()
    if not text:
        return []
    parts: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and utf8_len(current + unit) > limit:
            parts.append(current)
            current = ""
        current += unit
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def choice_payload(text: str, payloads: Sequence[str]) -> str | None:
    """The payload a reply such as "1", "２" or "1。" picks from the last numbered options, if any."""
    match = _CHOICE.match(unicodedata.normalize("NFKC", text))
    if not match or not payloads:
        return None
    index = int(match.group(1))
    return payloads[index - 1] if 1 <= index <= len(payloads) else None
