"""The one dependency-graph helper: cycles in `depends_on`, prerequisites before their users."""

from __future__ import annotations

from graphlib import CycleError

import pytest

from assistant.intake.dependencies import dependencies_first, find_cycle


def test_find_cycle_names_the_path_from_the_first_node_in_sorted_order() -> None:
    graph = {"lb": ["api"], "api": ["db", "cache"], "db": ["lb"], "cache": []}
    assert find_cycle(graph) == ["api", "db", "lb", "api"]


def test_find_cycle_ignores_unknown_ids_and_finds_none_in_a_tree() -> None:
    assert find_cycle({"api": ["db", "missing"], "db": []}) == []


def test_dependencies_first_keeps_the_given_order_otherwise() -> None:
    needs = {"a": ["c"], "c": ["d"]}
    assert dependencies_first(["a", "b", "c"], needs) == ["c", "a", "b"]


def test_dependencies_first_refuses_a_cycle() -> None:
    with pytest.raises(CycleError):
        dependencies_first(["a", "b"], {"a": ["b"], "b": ["a"]})
