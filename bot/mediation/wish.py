"""Telling a request to mediate one's own dispute from a question about the mediation service (phrase rules)."""

from __future__ import annotations

from bot.knowledge.phrase_rules import PhraseRules


class WishRules(PhraseRules):
    """knowledge/mediation/wish.yml: `wish` patterns say "please mediate"; `about_service` patterns mark a
    question about mediation itself; without any of the `mentions`, a message does not ask for mediation at all."""

    FILE = "mediation/wish.yml"
    KEYS = ("wish", "about_service", "mentions")

    def wants_mediation(self, text: str) -> bool:
        """True when the text asks for mediation and is not a question about the service."""
        folded = self.fold(text)
        return self.matches("wish", folded) and not self.matches("about_service", folded)

    def asks_about_service(self, text: str, tells_dispute: bool = True) -> bool:
        """True for a question about mediation itself ("调解要钱吗") that does not also ask for it. Without a
        dispute in the message ("我想申请调解，要带什么材料"), the wish words are part of the question."""
        folded = self.fold(text)
        return self.matches("about_service", folded) and (
            not tells_dispute or not self.matches("wish", folded)
        )

    def mentions_mediation(self, text: str) -> bool:
        """True when the text says anything about mediating, coordinating or someone stepping in."""
        return self.matches("mentions", self.fold(text))
