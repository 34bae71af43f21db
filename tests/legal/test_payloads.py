"""Reply payloads: an answer quotes its articles from the statute files; the human route for what we cannot answer."""

from dataclasses import replace

import pytest

from bot import services
from bot.knowledge.entries import Citation
from bot.legal.payloads import answer_payload, citation_line, emergency_payload, out_of_scope_payload


def test_payload_quotes_the_statute_text(catalog) -> None:
    entry = catalog.entries[0]
    payload = answer_payload(entry, "general", catalog.statutes, 0.9)
    assert payload["kind"] == "answer" and payload["kb_id"] == entry.id
    for cited, citation in zip(payload["citations"], entry.citations, strict=True):
        article = catalog.statutes.get(citation.law, citation.article)
        assert cited["text"] == article.text
    assert citation_line(entry, catalog.statutes).startswith("《")


def test_citations_name_the_version_and_an_interpretation_by_its_full_title(catalog) -> None:
    entry = replace(
        catalog.entries[0],
        citations=(
            Citation("治安管理处罚法", "第六十条"),
            Citation("民法典", "第一千零六十七条"),
            Citation("劳动争议解释一", "第三十二条", 2),
            Citation("治安管理处罚法", "第十二条"),
            Citation("劳动合同法实施条例", "第二十一条"),
        ),
    )
    line = citation_line(entry, catalog.statutes)
    assert line == (
        "《治安管理处罚法》（2025年修订）第六十条、第十二条；《民法典》第一千零六十七条；"
        "《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》第三十二条第二款；"
        "《劳动合同法实施条例》第二十一条"
    )
    cited = answer_payload(entry, "general", catalog.statutes, 0.9)["citations"]
    assert cited[0]["cited_as"] == "《治安管理处罚法》（2025年修订）第六十条"
    assert cited[2]["cited_as"].endswith("（一）》第三十二条第二款")
    assert [c["version"] for c in cited] == [
        "2025-06-27",
        "2020-05-28",
        "2020-12-29",
        "2025-06-27",
        "2008-09-18",
    ]
    assert cited[2]["paragraph"] == 2 and "paragraph" not in cited[0]


def test_a_citation_missing_from_the_statutes_is_an_error_not_a_made_up_quote(catalog) -> None:
    entry = replace(catalog.entries[0], citations=(Citation("民法典", "第九千条"),))
    with pytest.raises(LookupError):
        answer_payload(entry, "general", catalog.statutes, 0.9)


def test_emergency_and_out_of_scope_payloads(catalog) -> None:
    suicide = services.emergency_rules().category("suicide")
    assert emergency_payload(suicide) == {
        "kind": "emergency",
        "category": "suicide",
        "call": ["110", "120", "12355"],
    }
    assert out_of_scope_payload(reason="no_entry") == {
        "kind": "out_of_scope",
        "reason": "no_entry",
        "next_steps": ["hotline_12348", "legal_aid"],
    }
    assert set(out_of_scope_payload()["next_steps"]) <= set(catalog.next_steps)
