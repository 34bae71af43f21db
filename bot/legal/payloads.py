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


def citation_payload(entry: Entry, statutes: StatuteIndex) -> list[dict[str, Any]]:
    """Each citation with its article text read from the statute files (never typed by hand), how it is named
    (《治安管理处罚法》（2025年修订）第六十条) and the version date of the text quoted."""
    cited = []
    for cite in entry.citations:
        article = statutes.get(cite.law, cite.article)
        if article is None:
            raise LookupError(f"{entry.id} cites {cite.law}{cite.article}, which is not in knowledge/laws")
        version = statutes.laws[cite.law].version
        cited.append(
            {
                "law": cite.law,
                "article": cite.article,
                **({"paragraph": cite.paragraph} if cite.paragraph else {}),
                "cited_as": statutes.cited_as(cite.law, cite.article, cite.paragraph),
                "version": version.isoformat() if version else None,
                "text": article.text,
            }
        )
    return cited


def citation_line(entry: Entry, statutes: StatuteIndex) -> str:
    """The answer's 法律依据 line: each law once, named as it is cited (with its version where it has been amended),
    then its articles in the entry's order: 《治安管理处罚法》（2025年修订）第八十四条、第十二条；《刑法》第十七条."""
    articles: dict[str, list[str]] = {}
    for cite in entry.citations:
        name = statutes.law_cited_as(cite.law)
        articles.setdefault(name, []).append(
            statutes.cited_as(cite.law, cite.article, cite.paragraph)[len(name) :]
        )
    return "；".join(name + "、".join(cited) for name, cited in articles.items())


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
