"""The engine's rule table: the first rule whose pattern matches the question answers it.

Deterministic on purpose: a scenario that asks the same question always gets the
same tokens, so a stream cut after N bytes cuts at the same place every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    answer: str


def rule(name: str, pattern: str, answer: str) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), answer)


RULES: tuple[Rule, ...] = (
    rule(
        "greeting",
        r"\b(hi|hello|hey|good (morning|afternoon|evening))\b",
        "Hello! I am the Dynamic Capital assistant. Ask me about accounts, deposits, withdrawals or fees.",
    ),
    rule(
        "fees",
        r"\b(fee|fees|cost|costs|price|pricing|commission)\b",
        "Opening and keeping a Dynamic Capital account is free. Trades cost 0.1% of the order value, "
        "and card deposits carry a 1.5% processing fee.",
    ),
    rule(
        "deposit",
        r"\b(deposit|deposits|fund|top ?up)\b",
        "You can deposit by bank transfer (free, one business day) or by card (instant, 1.5% fee) "
        "from the Wallet page.",
    ),
    rule(
        "withdrawal",
        r"\b(withdraw|withdrawal|withdrawals|payout|cash out)\b",
        "Withdrawals go to a verified bank account and usually arrive within two business days.",
    ),
    rule(
        "account",
        r"\b(account|sign ?up|register|verify|verification|kyc)\b",
        "To open an account, sign up with your email, then verify your identity with a photo ID. "
        "Verification usually takes a few minutes.",
    ),
    rule(
        "human",
        r"\b(human|agent|person|support)\b",
        "You can reach a person at support@dynamic-capital.example, weekdays from 9:00 to 17:00.",
    ),
)

DEFAULT_RULE = "default"


def answer(message: str) -> tuple[str, str]:
    """The (rule name, answer text) for a question."""
    for candidate in RULES:
        if candidate.pattern.search(message):
            return candidate.name, candidate.answer
    return DEFAULT_RULE, (
        f'I can help with accounts, deposits, withdrawals and fees. You asked: "{message.strip()}". '
        "Could you tell me which of those it is about?"
    )


def tokenize(text: str) -> list[str]:
    """Split into word tokens that keep their trailing spaces, so joining them gives the text back."""
    return re.findall(r"\S+\s*|\s+", text)
