"""Personal data: masking phone numbers, ID numbers and names in free text; normalising phones; encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from bot.settings import Settings, get_settings
from bot.yamlfile import read_yaml

_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－（）　", "0123456789+-() ")
_SPOKEN_DIGITS = str.maketrans("零〇洞幺一二两三四五六七八九拐", "000112234567897")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
# A mobile number said in words (幺三九零零零零一二三四), spaces or dashes allowed between the digits.
SPOKEN_MOBILE = re.compile(r"[幺一][三四五六七八九](?:[\s-]?[零〇洞幺一二两三四五六七八九拐]){9}")


@dataclass(frozen=True)
class Masker:
    """Masks personal data in free text with the placeholders and name phrases of knowledge/privacy.yml."""

    placeholders: dict[str, str]
    name_after: re.Pattern[str]
    name_before_title: re.Pattern[str]

    @classmethod
    def load(cls, knowledge: Path) -> Masker:
        raw = read_yaml(knowledge / "privacy.yml")
        return cls(
            dict(raw["placeholders"]), re.compile(raw["name_after"]), re.compile(raw["name_before_title"])
        )

    def mask(self, text: str) -> str:
        """Replace ID numbers, phone numbers and evident personal names with placeholders."""
        folded = (text or "").translate(_FULLWIDTH)
        folded = ID_NUMBER.sub(self.placeholders["id_number"], folded)
        folded = MOBILE.sub(self.placeholders["phone"], folded)
        folded = LANDLINE.sub(self.placeholders["phone"], folded)
        folded = SPOKEN_MOBILE.sub(self.placeholders["phone"], folded)
        folded = self.name_after.sub(lambda m: m.group(1) + self.placeholders["name"], folded)
        return self.name_before_title.sub(self.placeholders["name"], folded)


@lru_cache(maxsize=2)
def _masker(knowledge: Path) -> Masker:
    return Masker.load(knowledge)


def mask_text(text: str) -> str:
    """Replace ID numbers, phone numbers and evident personal names with placeholders (the configured knowledge)."""
    return _masker(get_settings().knowledge_dir).mask(text)


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile (11 digits) or landline with area code (0763-3388123); None when it is neither."""
    text = re.sub(r"[\s()（）]", "", (raw or "").translate(_FULLWIDTH))
    digits = re.sub(r"[-]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    landline = re.fullmatch(r"(0\d{2,3})(\d{7,8})", digits)
    if landline and len(digits) in (10, 11, 12):
        area = landline.group(1)
        # Area codes beginning 01/02 are three digits (010, 020…); the rest are four (0763…).
        split = 3 if area[1] in "12" else 4
        return f"{digits[:split]}-{digits[split:]}"
    return None


def find_phone(text: str) -> str | None:
    """The first phone number written anywhere in a message, normalised; digits may be said in words
    (幺三九零零零零一二三四)."""
    folded = (text or "").translate(_FULLWIDTH)
    for candidate in (folded, folded.translate(_SPOKEN_DIGITS)):
        for pattern in (MOBILE, LANDLINE):
            match = pattern.search(candidate)
            if match:
                return normalize_phone(match.group(0))
    return normalize_phone(folded)


def mask_phone(phone: str) -> str:
    """138****8000: what staff other than the organization's mediators may see."""
    digits = re.sub(r"\D", "", phone)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


def sender_hash(sender_id: str, secret: str) -> str:
    """A stable pseudonym for a channel user id (so the id itself is not stored next to the data).

    It is keyed by SECRET_KEY, so a rotation changes it: new data carries the new key's hash, and whatever matches
    a sender to stored data also tries the previous keys' hashes (see ``sender_hashes``)."""
    return hashlib.sha256(f"{secret}:{sender_id}".encode()).hexdigest()


def sender_hashes(sender_id: str, secret: str, previous: Sequence[str] = ()) -> list[str]:
    """The sender's pseudonym under the current key, then under each previous key."""
    return [sender_hash(sender_id, key) for key in (secret, *previous)]


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"qybot-pii:{secret}".encode()).digest()))


class PiiCipher:
    """Encrypts names and phone numbers at rest with a key derived from SECRET_KEY; decrypts what was encrypted
    under it or under any previous key (SECRET_KEY_PREVIOUS), so a rotation leaves stored data readable."""

    def __init__(self, secret: str, previous: Sequence[str] = ()):
        self._fernet = MultiFernet([_fernet(key) for key in (secret, *previous)])

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiCipher:
        return cls(settings.secret_key, settings.previous_secret_keys)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same value encrypted under the current key (for re-encrypting stored data after a rotation)."""
        return self._fernet.rotate(token.encode()).decode()
