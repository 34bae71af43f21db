"""Retrieval picks the entry for the question and the asker's audience; citations come from the statutes."""

import pytest

from bot.answering import Retriever, answer_payload, citation_line


@pytest.fixture(scope="module")
def retriever(catalog) -> Retriever:
    return Retriever(catalog.entries)


def test_each_canonical_question_finds_its_own_entry(retriever: Retriever, catalog) -> None:
    for entry in catalog.entries:
        audience = entry.audiences[0]
        match = retriever.match(entry.question, audience)
        assert match is not None, entry.id
        assert match.entry.topic == entry.topic, (entry.id, match.entry.id)


def test_audience_picks_the_twin_entry(retriever: Retriever, catalog) -> None:
    fraud = [e for e in catalog.entries if e.topic == "telecom_fraud"]
    youth = next(e for e in fraud if "youth" in e.audiences)
    match = retriever.match(youth.question, "youth")
    assert match is not None and "youth" in match.entry.audiences


def test_nonsense_is_not_answered(retriever: Retriever) -> None:
    assert retriever.match("🙂🙂🙂") is None
    assert retriever.match("") is None
    assert retriever.match("<script>alert(1)</script>") is None


def test_payload_quotes_the_statute_text(retriever: Retriever, catalog) -> None:
    entry = catalog.entries[0]
    payload = answer_payload(entry, "general", catalog.statutes, 0.9)
    assert payload["kind"] == "answer" and payload["kb_id"] == entry.id
    for cited, citation in zip(payload["citations"], entry.citations, strict=True):
        article = catalog.statutes.get(citation.law, citation.article)
        assert cited["text"] == article.text
    assert citation_line(entry).startswith("《")
