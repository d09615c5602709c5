"""Match a participant's claims to the computed expected items: by component, constraint, pattern.

A claim supports an item when it names what the item is about (its constraint or rule in the
EN/DE vocabulary, or one of the item's pattern cards as the knowledge base's BM25 retrieval finds
them for the claim's words) and, unless the item concerns the whole system, names the subject
(a component id, its kind or technology); a claim that names no subject needs both the
constraint and a pattern. Each claim counts for at most one expected item, and
each item is found by at most one claim: pairs are taken best score first, so a claim that fits
two items is given to the one it fits best and a second claim may find the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.knowledge.lexical import BM25, card_tokens, tokenize
from assistant.knowledge.search import load_cards
from assistant.workshop.answers import Claim
from assistant.workshop.reference import ExpectedItem

#: A card counts as what a claim is about when its BM25 score reaches this, and at least
#: RELATIVE_SCORE of the claim's best card (measured on the exercise answers in the tests).
MIN_CARD_SCORE = 4.0
RELATIVE_SCORE = 0.5
MAX_CARDS = 3
MIN_SHARED_WORDS = 2
#: A word in more than this share of the cards does not count towards MIN_SHARED_WORDS.
COMMON_SHARE = 0.25
#: Words of opinion and modality the card tokenizer keeps but that name no topic.
CLAIM_STOPWORDS = frozenset(tokenize(
    "should would could must need needs want think also more very really maybe better "
    "sollte sollten müssen muss brauchen braucht wäre würde könnte besser mehr"))
#: Words this long also match inside longer words ("verbind" in "datenbankverbind").
_COMPOUND_MIN = 4


@dataclass(frozen=True)
class PairMatch:
    """Why one claim supports one item, and how strongly."""

    claim: int
    item: str
    score: float
    via: tuple[tuple[str, tuple[str, ...]], ...]  # (component|constraint|pattern, words)
    constraint_words: int = 0


@cache
def _card_index() -> tuple[BM25, tuple[str, ...], tuple[frozenset[str], ...]]:
    cards = sorted(load_cards(), key=lambda c: c.id)
    documents = [card_tokens(c) for c in cards]
    return (BM25(documents), tuple(c.id for c in cards),
            tuple(frozenset(d) for d in documents))


def _card_share(word: str) -> float:
    """The share of cards a word occurs in (1.0: in every card, so it names no topic)."""
    _, ids, vocabularies = _card_index()
    return sum(word in v for v in vocabularies) / len(ids) if ids else 0.0


def claim_cards(text: str) -> list[str]:
    """The pattern cards a claim is about, by BM25 over the cards (offline, EN and DE).

    A card counts only when at least MIN_SHARED_WORDS of the claim's distinctive words (in at
    most COMMON_SHARE of the cards) occur in it: one word ("rewrite") is a coincidence.
    """
    index, ids, vocabularies = _card_index()
    words = {w for w in tokenize(text) if w not in CLAIM_STOPWORDS}
    distinctive = {w for w in words if _card_share(w) <= COMMON_SHARE}
    scored = sorted(((s, i) for s, i, v in zip(index.scores(list(words)), ids, vocabularies,
                                                strict=True)
                     if s > 0 and len(distinctive & v) >= MIN_SHARED_WORDS),
                    key=lambda p: (-p[0], p[1]))
    if not scored or scored[0][0] < MIN_CARD_SCORE:
        return []
    floor = max(MIN_CARD_SCORE, scored[0][0] * RELATIVE_SCORE)
    return [card for score, card in scored[:MAX_CARDS] if score >= floor]


def _token_matches(term: str, word: str) -> bool:
    return word == term or (len(term) >= _COMPOUND_MIN and term in word)


def _has_term(term: str, words: list[str]) -> bool:
    """Whether the claim's words contain the term's words in a row (each word as above)."""
    wanted = tokenize(term.replace("-", " ").replace("_", " "))
    if not wanted:
        return False
    for start in range(len(words) - len(wanted) + 1):
        if all(_token_matches(t, words[start + i]) for i, t in enumerate(wanted)):
            return True
    return False


def _matched(terms: list[str], words: list[str]) -> list[str]:
    return [t for t in terms if _has_term(t, words)]


def pair(claim: Claim, item: ExpectedItem, cards: list[str]) -> PairMatch | None:
    """Score how well a claim supports an item; None when it does not."""
    words = tokenize(claim.text)
    subject = _matched(item.subject_terms, words)
    aspect = _matched(item.aspect_terms, words)
    patterns = [p for p in item.patterns if p in cards]
    # Without a subject a claim needs both the constraint and a pattern of the item.
    if not (aspect or patterns) or not (subject or item.system_wide or (aspect and patterns)):
        return None
    via = tuple((label, tuple(words[:3])) for label, words in
                (("component", subject), ("constraint", aspect), ("pattern", patterns)) if words)
    score = 2.0 * len(patterns) + min(len(aspect), 3) + min(len(subject), 2)
    return PairMatch(claim=claim.number, item=item.key, score=score, via=via,
                     constraint_words=len(aspect))


def assign(claims: list[Claim], items: list[ExpectedItem]) -> list[PairMatch]:
    """One-to-one matches, best score first.

    Ties go to the pair with more constraint words (what the participant typed beats a retrieved
    card), then to the earlier item, then to the earlier claim.
    """
    order = {item.key: index for index, item in enumerate(items)}
    candidates = []
    for claim in claims:
        cards = claim_cards(claim.text)
        candidates += [m for item in items if (m := pair(claim, item, cards)) is not None]
    candidates.sort(key=lambda m: (-m.score, -m.constraint_words, order[m.item], m.claim))
    taken_claims: set[int] = set()
    taken_items: set[str] = set()
    chosen = []
    for match in candidates:
        if match.claim in taken_claims or match.item in taken_items:
            continue
        chosen.append(match)
        taken_claims.add(match.claim)
        taken_items.add(match.item)
    return chosen


def best_support(claim: Claim, items: list[ExpectedItem]) -> PairMatch | None:
    """The item a claim supports best among `items` (for claims the assignment left over)."""
    cards = claim_cards(claim.text)
    matches = [m for item in items if (m := pair(claim, item, cards)) is not None]
    return max(matches, key=lambda m: (m.score, m.constraint_words), default=None)
