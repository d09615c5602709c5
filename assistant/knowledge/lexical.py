"""The lexical retriever: a light EN/DE normaliser and BM25 over each card's words.

Umlauts are folded and common plural and inflection suffixes stripped, so German keywords match
German queries even where the embedding model misses them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from assistant.knowledge.cards import PatternCard

#: How often each field's words count in a card's BM25 document: titles weigh most.
FIELD_WEIGHTS: dict[str, int] = {"title": 3, "title_de": 3, "keywords_de": 2, "symptoms": 2,
                                 "body": 1}
_WORD = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


_SUFFIXES = ("ungen", "ingen", "ing", "ung", "ern", "en", "er", "es", "ed", "e", "s", "n")


_MIN_STEM = 4


STOPWORDS = frozenset("""
a an and are as at be but by can do does for from has have how i if in into is it its my no not
of on or our so than that the their then there these they this to too up us was we were what
when where which while who why will with you your
aber alle als am an auch auf aus bei bin bis bitte da dann das dass dem den der des die doch
ein eine einem einen einer eines er es fur hat haben ich ihr im in ist ja kann kein keine
mit nach nicht noch nur ob oder sehr sich sie sind so um und uns unser unsere von vor war was
weil wenn wer wie wir wird wo zu zum zur
""".split())


@lru_cache(maxsize=1 << 16)  # bounded: free-text searches add words of their own
def _stem(token: str) -> str:
    """Strip one common English/German inflection suffix, keeping at least four letters.

    Deliberately light: it only has to make "Lesezugriffen" meet "Lesezugriffe" and
    "caches" meet "cache", not be a linguistic stemmer. Memoised: the cards' ~12,600 words
    are a few thousand distinct ones, and BM25's first use stems them all (~25 ms cold).
    """
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-case, fold umlauts, drop stop words and stem; used for documents and queries alike."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    return [_stem(w) for w in _WORD.findall(folded) if w not in STOPWORDS and not w.isdigit()]


class BM25:
    """Okapi BM25 over pre-tokenised documents (small corpus, pure Python).

    The corpus is a few dozen cards, so a library (and its numpy/scipy import) buys nothing;
    this is the textbook formula with the non-negative IDF variant.
    """

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2,
                 b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._tf = [Counter(doc) for doc in documents]
        self._len = [len(doc) for doc in documents]
        self._avg = (sum(self._len) / len(self._len)) if self._len else 0.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(documents)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: Sequence[str]) -> list[float]:
        """Score every document against the query tokens (0.0 when no token matches)."""
        terms = [t for t in dict.fromkeys(query) if t in self._idf]
        result = []
        for tf, length in zip(self._tf, self._len, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self._avg or 1.0))
            result.append(sum(self._idf[t] * tf[t] * (self.k1 + 1) / (tf[t] + norm)
                              for t in terms if t in tf))
        return result


def symptoms(card: PatternCard) -> list[str]:
    """The card's symptom triggers as plain sentences (both retrievers index them)."""
    return [t.split(":", 1)[1].strip() for t in card.triggers if t.startswith("symptom:")]


def card_tokens(card: PatternCard) -> list[str]:
    """Build the BM25 document of a card, each field repeated by its weight (BM25F-lite)."""
    fields = {
        "title": card.title,
        "title_de": card.title_de,
        "keywords_de": " ".join(card.keywords_de),
        "symptoms": " ".join(symptoms(card)),
        "body": card.body,
    }
    tokens: list[str] = []
    for name, text in fields.items():
        tokens.extend(tokenize(text) * FIELD_WEIGHTS[name])
    return tokens


# ---------------------------------------------------------------------------------------------
# Chunks for the vector index
