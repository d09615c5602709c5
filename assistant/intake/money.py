"""Money as teams write it: an amount per month with its currency, never a bare number.

Accepts `{amount: 5000, currency: EUR}` or the seed's text form `"€5000/month"`.
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from assistant.intake.base import StrictModel

_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


_MONEY_TEXT = re.compile(
    r"^\s*(?P<sym>[€$£])?\s*(?P<amount>[0-9][0-9.,_]*)\s*(?P<code>[A-Za-z]{3})?\s*(/\s*month)?\s*$"
)


class Money(StrictModel):
    """An amount of money per month with its currency; never a bare number.

    Accepts `{amount: 5000, currency: EUR}` or the seed's text form `"€5000/month"`.
    """

    amount: float = Field(ge=0, description="Amount in the currency's main unit.")
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
        currency = code or (_CURRENCY_SYMBOLS.get(symbol) if symbol else None)
        if not match or not currency:
            raise ValueError(
                f"expected an amount with its currency such as '5000 EUR' or '€5000/month', "
                f"got {value!r}"
            )
        amount = float(match.group("amount").replace(",", "").replace("_", ""))
        return {"amount": amount, "currency": currency}

    def __str__(self) -> str:
        return f"{self.amount:,.0f} {self.currency}"
