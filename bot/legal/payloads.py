"""The legal side of the reply payload contract (README): answers with their citations, emergencies, referrals."""

from __future__ import annotations

from typing import Any

from bot.knowledge.entries import Entry
from bot.knowledge.statutes import StatuteIndex
from bot.legal.emergency import Category

HUMAN_HELP = [
    "hotline_12348",
    "legal_aid",
]  # next-step codes (knowledge/legal/next_steps.yml) for what we cannot answer


def citation_payload(entry: Entry, statutes: StatuteIndex) -> list[dict[str, str]]:
    """Each citation with its article text read from the statute files (never typed by hand)."""
    cited = []
    for cite in entry.citations:
        article = statutes.get(cite.law, cite.article)
        if article is None:
            raise LookupError(f"{entry.id} cites {cite.law}{cite.article}, which is not in knowledge/laws")
        cited.append({"law": cite.law, "article": cite.article, "text": article.text})
    return cited


def citation_line(entry: Entry) -> str:
    return "；".join(f"《{c.law}》{c.article}" for c in entry.citations)


def answer_payload(entry: Entry, audience: str, statutes: StatuteIndex, confidence: float) -> dict:
    """The `json_message` of an answer (the reply payload contract in the README)."""
    return {
        "kind": "answer",
        "topic": entry.topic,
        "audience": audience,
        "kb_id": entry.id,
        "confidence": round(confidence, 3),
        "citations": citation_payload(entry, statutes),
        "next_steps": list(entry.next_steps),
        "offer_mediation": entry.offer_mediation,
    }


def emergency_payload(category: Category) -> dict[str, Any]:
    return {"kind": "emergency", "category": category.code, "call": list(category.call)}


def out_of_scope_payload(**extra: Any) -> dict[str, Any]:
    """Outside what the knowledge base covers (``reason: no_entry`` when no entry answers), with the human route."""
    return {"kind": "out_of_scope", **extra, "next_steps": list(HUMAN_HELP)}
