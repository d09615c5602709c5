"""Read a data-freshness requirement ('5 minutes', '30 s', 'real-time') as seconds.

It lives in the intake so the schema refuses an unreadable freshness when the file is validated,
naming the field, instead of the review stopping half-way; the caching analysis uses the same
parser for the TTL.
"""

from __future__ import annotations

import re

UNIT_SECONDS: dict[str, float] = {
    **dict.fromkeys(["ms", "msec", "millisecond", "milliseconds"], 0.001),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds", "sekunde", "sekunden"], 1.0),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes", "minuten"], 60.0),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours", "stunde", "stunden"], 3600.0),
    **dict.fromkeys(["d", "day", "days", "tag", "tage"], 86400.0),
    **dict.fromkeys(["w", "week", "weeks", "woche", "wochen"], 604800.0),
    **dict.fromkeys(["y", "year", "years", "jahr", "jahre"], 31536000.0),
}
REAL_TIME = frozenset({"real-time", "realtime", "real time", "live", "0"})
MAX_FRESHNESS_S = 10 * 31536000.0
_FRESHNESS = re.compile(r"^\s*(?P<n>[0-9]{1,12}(?:[.,][0-9]{1,6})?)\s*(?P<unit>[a-zäöü]+)\.?\s*$")


def parse_freshness(text: str, path: str) -> float:
    """Turn a freshness requirement such as '5 minutes' or '30 s' into seconds.

    The TTL is the freshness requirement, so an unreadable text must be refused with a message
    naming the endpoint rather than silently cache nothing.

    Raises:
        ValueError: if the text is not a number with a known unit, or more than ten years.
    """
    cleaned = text.strip().lower()
    if cleaned in REAL_TIME:
        return 0.0
    match = _FRESHNESS.match(cleaned)
    unit = UNIT_SECONDS.get(match.group("unit")) if match else None
    if match is None or unit is None:
        raise ValueError(
            f"endpoint {path}: cannot read data_freshness {text!r}; write a number and a unit "
            "such as '30 s', '5 minutes' or '1 hour', or 'real-time'"
        )
    seconds = float(match.group("n").replace(",", ".")) * unit
    if seconds > MAX_FRESHNESS_S:
        raise ValueError(f"endpoint {path}: data_freshness {text!r} is more than 10 years")
    return seconds
