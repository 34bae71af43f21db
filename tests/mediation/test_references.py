"""References: random with enough entropy, no look-alike symbols, read back however they are typed."""

import math
import re
from datetime import datetime, timezone

import pytest

from bot.mediation.intake import parse_status_query
from bot.mediation.references import ALPHABET, RANDOM_CHARS, find_reference, new_reference

DAY = datetime(2024, 12, 7, 15, 0, tzinfo=timezone.utc)


def test_alphabet_has_no_look_alikes_and_enough_entropy() -> None:
    assert not set("0O1IL") & set(ALPHABET) and len(set(ALPHABET)) == len(ALPHABET)
    assert RANDOM_CHARS * math.log2(len(ALPHABET)) >= 30


def test_new_references_are_grouped_for_reading_and_differ() -> None:
    references = {new_reference(DAY) for _ in range(2000)}
    assert len(references) == 2000
    symbols = re.escape(ALPHABET)
    assert all(re.fullmatch(rf"QY-241207-[{symbols}]{{4}}-[{symbols}]{{4}}", r) for r in references)
    used = {c for r in references for c in r[10:].replace("-", "")}
    assert used == set(ALPHABET)  # every symbol is drawn


@pytest.mark.parametrize(
    "typed",
    [
        "QY-241207-K7MP-9PQX",
        "qy 241207 k7m p9p qx",
        "qy241207k7mp9pqx",
        "QY－241207－K7MP－9PQX",
        "Qy-241207 K7MP9PQX",
    ],
)
def test_a_reference_is_read_back_in_its_stored_spelling(typed: str) -> None:
    assert parse_status_query(f"查询进度 {typed} 8000") == ("QY-241207-K7MP-9PQX", "8000")
    assert parse_status_query(f"编号{typed}，手机尾号0763") == ("QY-241207-K7MP-9PQX", "0763")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("查询进度 QY-20261129-0001 8000", ("QY-20261129-0001", "8000")),
        ("申请编号 qy 20261115 0101 尾号 0763", ("QY-20261115-0101", "0763")),
        ("QY-20261229-2345 8888", ("QY-20261229-2345", "8888")),  # not read as a random part
        ("查询进度", (None, None)),
        ("尾号8000", (None, "8000")),
        ("QY-241207-K7OP-9PQX 8000", (None, "8000")),  # O is no symbol of ours
    ],
)
def test_old_references_and_partial_queries(text: str, expected: tuple) -> None:
    assert parse_status_query(text) == expected


def test_where_the_reference_was_found() -> None:
    found = find_reference("编号 qy 241207 k7mp 9pqx 谢谢")
    assert found is not None and found[0] == "QY-241207-K7MP-9PQX"
    assert "编号 qy 241207 k7mp 9pqx 谢谢"[found[1][0] : found[1][1]] == "qy 241207 k7mp 9pqx"
