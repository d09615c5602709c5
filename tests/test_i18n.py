"""The string catalogue: both languages complete, numbers formatted per language."""

from __future__ import annotations

import re

import pytest

from assistant.analysis.rules.registry import RULES
from assistant.i18n.messages import Messages, _messages


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    messages = _messages()
    assert set(messages["en"]) == set(messages["de"])
    for key, text in messages["en"].items():
        german = messages["de"][key]
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", german)), key


def test_every_rule_has_a_title_and_summary() -> None:

    catalogue = Messages("de")
    for rule_id in RULES:
        assert catalogue.has(f"rule.{rule_id}.title") and catalogue.has(f"rule.{rule_id}.summary")


@pytest.mark.parametrize(("lang", "expected"), [("en", "1,234,567.5"), ("de", "1.234.567,5")])
def test_numbers_per_language(lang: str, expected: str) -> None:
    assert Messages(lang).number(1234567.5, 1) == expected  # type: ignore[arg-type]


def test_decimals_keep_what_matters() -> None:
    catalogue = Messages("en")
    assert catalogue.value(99.45) == "99.45"
    assert catalogue.value(2.6) == "2.6"
    assert catalogue.value(3.0) == "3"
    assert Messages("de").money(1500, "EUR") == "1.500 EUR"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        Messages("fr")  # type: ignore[arg-type]
