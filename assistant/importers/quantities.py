"""CPU and memory quantities as deployment files write them, in vCPU and GB.

Kubernetes: `300m`, `0.5`, `2` CPU and `64Mi`, `1Gi`, `500M`, `1e9` memory; Compose: `0.50`
cpus and `512M`, `1g`, `2gb` memory. Anything else is None, and the reader says so in the draft
rather than guessing.
"""

from __future__ import annotations

import re

_MEMORY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][0-9]+)?)\s*([A-Za-z]*)\s*$")
_UNITS = {
    "": 1, "b": 1,
    "k": 1e3, "kb": 1e3, "ki": 2**10, "kib": 2**10,
    "m": 1e6, "mb": 1e6, "mi": 2**20, "mib": 2**20,
    "g": 1e9, "gb": 1e9, "gi": 2**30, "gib": 2**30,
    "t": 1e12, "tb": 1e12, "ti": 2**40, "tib": 2**40,
}
_COMPOSE_BINARY = {"k", "kb", "m", "mb", "g", "gb", "t", "tb"}  # Compose's units are 1024-based


def cpu_vcpu(value: object) -> float | None:
    """Cores (vCPU) from `300m`, `0.5`, `2` (None when unreadable or not positive)."""
    text = str(value).strip()
    try:
        cores = float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None
    return cores if cores > 0 else None


def memory_gb(value: object, *, compose: bool = False) -> float | None:
    """Memory in GB as the catalogue counts them (2^30 bytes: a t3.medium's 4 GB is 4 GiB).

    Reads `128Mi`, `1Gi`, `512M`; Compose's `512m` is 512 x 1024^2 bytes.
    """
    match = _MEMORY.match(str(value))
    if not match:
        return None
    unit = match.group(2).lower()
    if unit not in _UNITS:
        return None
    binary = compose and unit in _COMPOSE_BINARY
    factor = 1024 ** (" kmgt".index(unit[0])) if binary else _UNITS[unit]
    size = float(match.group(1)) * factor / 2**30
    return size if size > 0 else None
