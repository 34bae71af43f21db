"""Out-of-scope subjects (knowledge/legal/scope.yml): legal questions that need a lawyer, not a knowledge-base entry."""

from __future__ import annotations

from bot.knowledge.phrase_rules import PhraseRules


class ScopeRules(PhraseRules):
    """`outside` patterns name subjects the knowledge base does not cover (patents, tax, visas, adult criminal
    defence…); `unless` patterns show the question is one it does cover after all (a scam, a minor, wages…)."""

    FILE = "legal/scope.yml"
    KEYS = ("outside", "unless")
    TRADITIONAL = True

    def is_outside(self, text: str) -> bool:
        """True when the question names an out-of-scope subject and nothing that brings it back in scope."""
        folded = self.fold(text)
        return self.matches("outside", folded) and not self.matches("unless", folded)
