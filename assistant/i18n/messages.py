"""The one catalogue of fixed report strings (English and German) and number formatting.

Reports never carry string literals of their own: they ask `Messages.t(key, **params)`, and
numbers and money are formatted per language (1,234.5 in English, 1.234,5 in German).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml

Language = Literal["en", "de"]
LANGUAGES: tuple[str, ...] = ("en", "de")
MESSAGES_PATH = Path(__file__).parent / "messages.yaml"


@cache
def _messages() -> dict[str, dict[str, str]]:
    # libyaml's C parser when PyYAML has it (~10x faster, the same data; why: the docstring of
    # `assistant.bundled.load_data_yaml`, which this foundation module may not import)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(MESSAGES_PATH.read_text(encoding="utf-8"), Loader=loader)
    missing = set(data["en"]) ^ set(data["de"])
    if missing:
        raise RuntimeError(f"messages.yaml: keys not in both languages: {sorted(missing)}")
    return data


class Messages:
    """Strings and number formats for one language."""

    def __init__(self, lang: Language) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
        self.lang = lang
        self._strings = _messages()[lang]

    def has(self, key: str) -> bool:
        """Return whether the catalogue holds a key."""
        return key in self._strings

    def t_raw(self, key: str) -> str:
        """Return the string for a key with its placeholders unfilled."""
        return str(self._strings[key])

    def t(self, key: str, **params: object) -> str:
        """Return the string for a key with placeholders filled (numbers formatted)."""
        text = self._strings[key]
        shown = {k: self.value(v) for k, v in params.items()}
        return text.format(**shown)

    def value(self, value: object) -> str:
        """Format a parameter: numbers per language, everything else as text."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        if isinstance(value, float) and not value.is_integer():
            return self.decimal(value)
        return self.number(value, 0)

    def decimal(self, value: float, max_digits: int = 3) -> str:
        """Format with up to `max_digits` decimals, trailing zeros dropped (99.45, not 99.5)."""
        digits = max_digits
        while digits > 0 and round(value, digits - 1) == round(value, digits):
            digits -= 1
        return self.number(value, digits)

    def number(self, value: float, digits: int = 0) -> str:
        """Format a number with grouping and the language's decimal mark."""
        text = f"{value:,.{digits}f}"
        if self.lang == "de":
            text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
        return text

    def money(self, amount: float, currency: str) -> str:
        """Format money: '1,500 USD' in English, '1.500 USD' in German."""
        return f"{self.number(amount, 0)} {currency}"

    def pct(self, value: float, digits: int = 1) -> str:
        """Format a percentage value (already in percent)."""
        return f"{self.number(value, digits)} %"
