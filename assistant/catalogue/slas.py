"""Published SLAs of managed services, looked up by a component's technology and kind.

A managed database on RDS Multi-AZ counts at 99.95 %, CloudFront at 99.9 %, S3 Standard at
99.9 % (each with its page and date in `data/slas.yaml`), not at one generic figure. The match
is on the words of the intake's technology field; no match keeps the generic default, which
the availability report labels as such.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from assistant.bundled import load_data_yaml

SLAS_PATH = Path(__file__).parent / "data" / "slas.yaml"


class ProviderSla(BaseModel):
    """One managed service's published monthly uptime commitment."""

    model_config = ConfigDict(extra="forbid")
    name: str
    match: list[str] = Field(min_length=1)
    kinds: list[str] = Field(min_length=1)
    multi_az: bool | None = None
    sla_pct: float = Field(gt=0, le=100)
    source: str = Field(min_length=1)

    def matches(self, technology: str, kind: str, multi_az: bool) -> bool:
        """True when the technology names this service and kind and deployment fit."""
        if kind not in self.kinds or (self.multi_az is not None and self.multi_az != multi_az):
            return False
        words = technology.lower()
        return any(re.search(rf"(?<![a-z0-9]){re.escape(m)}(?![a-z0-9])", words)
                   for m in self.match)


@lru_cache(maxsize=1)
def provider_slas(path: Path = SLAS_PATH) -> tuple[ProviderSla, ...]:
    """Every published SLA in the catalogue (read once)."""
    data = load_data_yaml(path.read_text(encoding="utf-8"))
    return tuple(ProviderSla.model_validate(row) for row in data["services"])


def published_sla(technology: str, kind: str, multi_az: bool) -> ProviderSla | None:
    """The provider SLA the technology names for this kind and deployment, if any."""
    return next((s for s in provider_slas() if s.matches(technology, kind, multi_az)), None)
