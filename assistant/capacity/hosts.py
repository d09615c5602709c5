"""Which components run on one host: the grouping capacity, availability and the diagram share.

Components on one host share its CPU and memory and fail together, so the capacity model sums
their load, availability counts the host as one failure unit and the diagram draws one box.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.intake.schema import Component


def components_by_host(components: Iterable[Component]) -> dict[str, list[Component]]:
    """Group components by the host they name; a component without a host stands alone.

    Groups keep the components' order and appear in the order their first member does.
    """
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(component.host or component.id, []).append(component)
    return groups


def shared_hosts(components: Iterable[Component]) -> dict[str, list[str]]:
    """Hosts that run more than one component, each with its members' ids in intake order."""
    hosted = components_by_host(c for c in components if c.host)
    return {host: [c.id for c in members] for host, members in hosted.items()
            if len(members) > 1}
