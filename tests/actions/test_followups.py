"""Follow-ups on the last answer: simpler, again, the article text, or other choices."""

from rasa_sdk.executor import CollectingDispatcher

from actions.followups import ActionExplainSimpler, ActionNotThis, ActionRepeatAnswer, ActionShowArticle
from tests.actions.helpers import payloads, responses, tracker

LAST = {"last_kb_id": "elder_support.001", "last_question": "子女不给赡养费怎么办"}


async def test_simpler_sends_the_short_version(catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionExplainSimpler().run(
        dispatcher, tracker("说简单点", intent="explain_simpler", slots=LAST), {}
    )
    entry = next(e for e in catalog.entries if e.id == "elder_support.001")
    assert responses(dispatcher) == ["utter_simple_answer"]
    assert dispatcher.messages[0]["simple"] == entry.simple
    assert payloads(dispatcher)[0]["kb_id"] == "elder_support.001"


async def test_repeat_sends_the_same_answer_again(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRepeatAnswer().run(dispatcher, tracker("再说一遍", intent="repeat", slots=LAST), {})
    assert responses(dispatcher)[0] == "utter_legal_answer"
    assert payloads(dispatcher)[0]["kb_id"] == "elder_support.001"


async def test_show_article_quotes_every_citation_from_the_statutes(catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionShowArticle().run(dispatcher, tracker("看法条原文", intent="show_article", slots=LAST), {})
    entry = next(e for e in catalog.entries if e.id == "elder_support.001")
    assert responses(dispatcher) == ["utter_article_text"] * len(entry.citations)
    for message, citation in zip(dispatcher.messages, entry.citations, strict=True):
        assert message["text"] == catalog.statutes.get(citation.law, citation.article).text


async def test_not_this_offers_other_entries(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionNotThis().run(dispatcher, tracker("不是这个意思", intent="not_this", slots=LAST), {})
    assert responses(dispatcher) == ["utter_not_this"]
    suggestions = payloads(dispatcher)[0]["suggestions"]
    assert suggestions and all(s["kb_id"] != "elder_support.001" for s in suggestions)


async def test_follow_up_without_a_previous_answer_says_so() -> None:
    for action in (ActionExplainSimpler(), ActionRepeatAnswer(), ActionShowArticle()):
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, tracker("说简单点"), {})
        assert responses(dispatcher) == ["utter_nothing_to_follow"]
