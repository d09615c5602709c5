"""The base of every intake model: unknown fields are errors, values are strict and finite.

A typo in a field name is an error with a hint, never a silently ignored setting. Strict: a
boolean is not a number (`team_size: true` is not 1) and `"5"` is not 5; finite: `.inf` and
JSON `Infinity`/`NaN` are refused with the field named instead of overflowing a formula later.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Base for every intake model: unknown fields are errors, numbers strict and finite."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True,
                              allow_inf_nan=False)
