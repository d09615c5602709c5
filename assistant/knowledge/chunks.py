"""How a card is cut for the vector index: a summary with German keywords, symptoms, sections.

Several short chunks per card embed better than one long text; search groups hits by card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.knowledge.cards import PatternCard
from assistant.knowledge.lexical import symptoms

SECTION_CHARS = 1200


@dataclass(frozen=True)
class Chunk:
    """One embedded passage of a card."""

    id: str
    card_id: str
    text: str
    metadata: dict[str, str | bool]


def _sections(body: str) -> list[tuple[str, str]]:
    parts = re.split(r"^## +(.+)$", body, flags=re.MULTILINE)
    pairs = [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]
    lead = parts[0].strip()
    return ([("", lead)] if lead else []) + [(h, t) for h, t in pairs if t]


def card_chunks(card: PatternCard) -> list[Chunk]:
    """Split a card into passages: a summary (EN title, DE title, DE keywords), symptoms, sections.

    Short passages embed better than one long body: a query about one symptom matches the
    passage that names it instead of a diluted average of the whole card.
    """
    kinds: dict[str, str | bool] = {f"kind_{k}": True for k in card.applies_to}
    texts = [f"{card.title}. {card.title_de}. {'; '.join(card.keywords_de)}"]
    triggers = symptoms(card)
    if triggers:
        texts.append(f"{card.title}: " + "; ".join(triggers))
    for heading, text in _sections(card.body):
        prefix = f"{card.title} - {heading}" if heading else card.title
        texts.append(f"{prefix}: {text[:SECTION_CHARS]}")
    return [Chunk(id=f"{card.id}#{i}", card_id=card.id, text=text,
                  metadata={"card_id": card.id, **kinds})
            for i, text in enumerate(texts)]


# ---------------------------------------------------------------------------------------------
# Fusion
