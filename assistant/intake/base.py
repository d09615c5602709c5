"""The base of every intake model: unknown fields are errors, whitespace is trimmed.

A typo in a field name is an error with a hint, never a silently ignored setting.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Base for every intake model: unknown fields are errors, whitespace is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
