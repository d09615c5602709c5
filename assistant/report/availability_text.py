"""The sentence that states whether requests survive a cache outage, in one place.

The condition is computed once by the capacity model (`capacity.cache_outage`); the Markdown
and HTML reports render it through this function, so both show the same figure and words.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.capacity.cache_outage import CacheOutage
from assistant.i18n.messages import Messages


def cache_outage_sentence(outage: CacheOutage, catalogue: Messages,
                          escape: Callable[[object], str] = str) -> str:
    """Why a cache is in series or not, with the database's uncached load at target.

    `escape` makes intake-named parts (component ids, a size a catalogue override names) safe
    for the output format; the HTML environment escapes the whole sentence itself.
    """
    cache = escape(outage.cache)
    if outage.role == "store":
        key = "store_sessions" if outage.role_reason == "sessions" else "store"
        return catalogue.t(f"availability.cache_outage.{key}", cache=cache)
    if outage.database is None or outage.uncached_utilisation_pct is None:
        return catalogue.t("availability.cache_outage.no_database", cache=cache)
    inputs = outage.inputs
    nodes = catalogue.t("availability.cache_outage.nodes", size=escape(inputs.get("size", "?")),
                        partitions=inputs.get("partitions", 1),
                        replicas=inputs.get("replicas", 0))
    key = "survives" if outage.survives else "overloaded"
    return catalogue.t(f"availability.cache_outage.{key}", cache=cache,
                       database=escape(outage.database),
                       pct=catalogue.number(outage.uncached_utilisation_pct, 1),
                       threshold=catalogue.number(outage.threshold_pct, 0), nodes=nodes)
