"""A participant's answer, read into claims: a Markdown list in their own words, or YAML.

Markdown: every list item (`-`, `*`, `+` or `1.`/`1)`) is one claim; indented lines continue it;
headings and prose around the list are kept as context, not claims. YAML: a mapping with an
`answers` list (also accepted: `bottlenecks`, `claims`) whose items are strings or mappings of
`text`, `component`, `constraint` and `pattern`. Files are size-bounded and YAML is read with the
intake's bounded safe loader. Nothing is dropped silently: an unusable file or item is an error
that names the file, the item and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from assistant.intake.parsing import parse, read_text
from assistant.intake.problems import IntakeError
from assistant.workshop.exercises import WorkshopError

MAX_ANSWER_BYTES = 64_000
MAX_CLAIMS = 50
MAX_CLAIM_CHARS = 2_000
YAML_LIST_KEYS = ("answers", "bottlenecks", "claims")
YAML_ITEM_FIELDS = ("text", "component", "constraint", "pattern")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?P<text>.+)$")
_CONTINUATION = re.compile(r"^\s{2,}\S")


class Claim(BaseModel):
    """One thing the participant says, as they said it."""

    number: int
    text: str


def read_answer(path: Path) -> list[Claim]:
    """Read an answer file into claims.

    Raises:
        WorkshopError: unreadable, too large, malformed, no claims, or an unusable item.
    """
    try:
        text = read_text(path, MAX_ANSWER_BYTES)
    except IntakeError as error:
        raise WorkshopError(_problems(error)) from None
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        texts = _yaml_claims(path, text)
    else:
        texts = _markdown_claims(text)
    if not texts:
        raise WorkshopError(f"{path}: no answer found; expected a Markdown list (one bottleneck "
                            "per '- ' line) or YAML with an 'answers:' list")
    return _numbered(str(path), texts)


def claims_from_text(text: str) -> list[Claim]:
    """Read claims from pasted Markdown (a UI text box): one claim per list item.

    Raises:
        WorkshopError: no list item, too many claims, or a claim too long.
    """
    if len(text.encode("utf-8")) > MAX_ANSWER_BYTES:
        raise WorkshopError(f"answer: more than {MAX_ANSWER_BYTES:,} bytes")
    texts = _markdown_claims(text)
    if not texts:
        raise WorkshopError("answer: no list item found; expected one bottleneck per '- ' line")
    return _numbered("answer", texts)


def _numbered(where: str, texts: list[str]) -> list[Claim]:
    if len(texts) > MAX_CLAIMS:
        raise WorkshopError(f"{where}: {len(texts)} claims; at most {MAX_CLAIMS} are checked")
    for number, claim in enumerate(texts, start=1):
        if len(claim) > MAX_CLAIM_CHARS:
            raise WorkshopError(f"{where}: claim {number}: {len(claim):,} characters; at most "
                                f"{MAX_CLAIM_CHARS:,} per claim")
    return [Claim(number=n, text=t) for n, t in enumerate(texts, start=1)]


def _problems(error: IntakeError) -> str:
    return "; ".join(str(p) for p in error.problems)


def _markdown_claims(text: str) -> list[str]:
    claims: list[str] = []
    in_item = False
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match:
            claims.append(match.group("text").strip())
            in_item = True
        elif in_item and _CONTINUATION.match(line):
            claims[-1] += " " + line.strip()
        else:
            in_item = False
    return [c for c in claims if c]


def _yaml_claims(path: Path, text: str) -> list[str]:
    try:
        data, _ = parse(path, text)
    except IntakeError as error:
        raise WorkshopError(_problems(error)) from None
    keys = [k for k in YAML_LIST_KEYS if k in data]
    unknown = sorted(set(map(str, data)) - set(YAML_LIST_KEYS))
    if len(keys) != 1 or unknown:
        raise WorkshopError(f"{path}: expected one list under {' or '.join(YAML_LIST_KEYS)}"
                            + (f"; unknown fields: {', '.join(unknown)}" if unknown else ""))
    items = data[keys[0]]
    if not isinstance(items, list):
        raise WorkshopError(f"{path}: {keys[0]}: expected a list, got {type(items).__name__}")
    return [_yaml_item(path, keys[0], i, item) for i, item in enumerate(items, start=1)]


def _yaml_item(path: Path, key: str, number: int, item: object) -> str:
    where = f"{path}: {key}[{number}]"
    if isinstance(item, str) and item.strip():
        return item.strip()
    if isinstance(item, dict):
        unknown = sorted(set(map(str, item)) - set(YAML_ITEM_FIELDS))
        if unknown:
            raise WorkshopError(f"{where}: unknown fields {', '.join(unknown)}; expected "
                                f"{', '.join(YAML_ITEM_FIELDS)}")
        parts = [str(item[f]).strip() for f in YAML_ITEM_FIELDS
                 if isinstance(item.get(f), str | int | float) and str(item[f]).strip()]
        if parts and len(parts) == sum(1 for f in YAML_ITEM_FIELDS if f in item):
            return " ".join(parts)
    raise WorkshopError(f"{where}: expected a non-empty string or a mapping of "
                        f"{', '.join(YAML_ITEM_FIELDS)} with text values")
