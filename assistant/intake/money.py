"""Money as teams write it: an amount per month with its currency, never a bare number.

Accepts `{amount: 5000, currency: EUR}` or text as teams write it: `"€1.500/month"` and
`"1.500,50 EUR"` (European notation), `"$1,500.50"` and `"1500 USD"` (English notation). An
amount whose notation reads no single way (`"1,50,000"`, `"1.5000"`) is refused with what was
expected, never guessed. Whether the currency is one the catalogue can convert is checked one
layer up (`catalogue.validation`), where the fx table lives.
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from assistant.intake.base import StrictModel

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
# A monthly amount beyond any real budget: a typo or hostile input, refused with the bound in the
# message instead of overflowing sums and ratios later (the business case's bound too).
MAX_MONEY = 1e15
_MONEY_TEXT = re.compile(
    r"^\s*(?P<sym>[€$£])?\s*(?P<amount>[0-9][0-9.,_']*)\s*(?P<code>[A-Za-z]{3})?"
    r"\s*(/\s*(month|mo|monat))?\s*$", re.IGNORECASE)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:SEP[0-9]{3})+$")


class AmountNotation(ValueError):
    """An amount whose digits and separators do not read one way only."""


def parse_amount(text: str) -> float:
    """Read an amount with thousands and decimal separators as its notation states them.

    Both separators present: the last one is the decimal mark and the other must group digits
    in threes. One kind present several times: it groups. One separator once: one or two
    digits after it make it the decimal mark; exactly three make it a thousands separator
    (money has no third decimal, so "€1.500" and "$1,500" are both fifteen hundred); any other
    count reads neither way and is refused.
    """
    digits = text.replace("_", "").replace("'", "")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        grouping = "," if decimal == "." else "."
        whole, _, fraction = digits.rpartition(decimal)
        if digits.count(decimal) > 1 or not _is_grouped(whole, grouping) or not fraction:
            raise AmountNotation(f"cannot read {text!r}: expected groups of three digits "
                                 f"separated by '{grouping}' and one decimal mark '{decimal}'")
        return float(whole.replace(grouping, "") + "." + fraction)
    separator = "." if dots else "," if commas else ""
    if not separator:
        return float(digits)
    if digits.count(separator) > 1:
        if not _is_grouped(digits, separator):
            raise AmountNotation(f"cannot read {text!r}: expected groups of three digits "
                                 f"separated by '{separator}'")
        return float(digits.replace(separator, ""))
    whole, _, fraction = digits.partition(separator)
    if not fraction:
        raise AmountNotation(f"cannot read {text!r}: expected digits after '{separator}'")
    if len(fraction) <= 2:
        return float(f"{whole}.{fraction}")
    if len(fraction) == 3 and len(whole) <= 3:
        return float(whole + fraction)
    raise AmountNotation(
        f"{text!r} is ambiguous: expected at most two decimals (1500.50, 1.500,50) or groups "
        f"of three digits (1,500 or 1.500)")


def _is_grouped(digits: str, separator: str) -> bool:
    return bool(re.match(_GROUPED.pattern.replace("SEP", re.escape(separator)), digits))


class Money(StrictModel):
    """An amount of money per month with its currency; never a bare number.

    Accepts `{amount: 5000, currency: EUR}` or the text forms `"€1.500/month"`,
    `"1.500,50 EUR"`, `"$1,500.50"`, `"1500 USD"`.
    """

    amount: float = Field(ge=0, le=MAX_MONEY,
                          description="Amount in the currency's main unit (at most 10^15).")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR, USD.")

    @model_validator(mode="before")
    @classmethod
    def _parse_text(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f"expected an amount with its currency such as '{value} EUR', "
                             f"got the bare number {value}")
        if not isinstance(value, str):
            return value
        match = _MONEY_TEXT.match(value)
        code = (match.group("code") or "").upper() if match else ""
        symbol = match.group("sym") if match else None
        by_symbol = CURRENCY_SYMBOLS.get(symbol) if symbol else None
        if match and code and by_symbol and code != by_symbol:
            raise ValueError(f"{value!r} names two currencies: symbol {symbol} is {by_symbol}, "
                             f"code is {code}; give one")
        currency = code or by_symbol
        if not match or not currency:
            raise ValueError(
                f"expected an amount with its currency such as '5000 EUR', '€1.500/month' or "
                f"'$1,500.50', got {value!r}"
            )
        try:
            amount = parse_amount(match.group("amount"))
        except AmountNotation as error:
            raise ValueError(str(error)) from None
        if not amount <= MAX_MONEY:  # also infinity, from 400 digits
            raise ValueError(f"{value[:40]!r}{'...' if len(value) > 40 else ''} is more than "
                             f"{MAX_MONEY:,.0f}, the largest amount accepted")
        return {"amount": amount, "currency": currency}

    def __str__(self) -> str:
        return f"{self.amount:,.0f} {self.currency}"
