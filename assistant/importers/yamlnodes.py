"""Reading composed YAML nodes: a value's line, a mapping's keys with their lines.

The readers walk plain data (easy to read) and look up lines in the node tree (where YAML
keeps them), so every imported component can name the line it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.importers.model import ImportProblem
from assistant.intake.parsing import compose_documents, construct
from assistant.intake.problems import IntakeError


def documents(path: Path, text: str) -> list[tuple[Any, yaml.Node]]:
    """Every document of a YAML file as (data, node), bounded like an intake."""
    try:
        nodes = compose_documents(path, text)
    except IntakeError as error:
        problem = error.problems[0]
        raise ImportProblem(str(path), problem.message, problem.line) from None
    return [(construct(node), node) for node in nodes]


def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key` of a mapping node (None if absent or not a mapping)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == key:
            return value_node
    return None


def key_line(node: yaml.Node | None, key: str) -> int | None:
    """The 1-based line of `key` in a mapping node."""
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return None


def line_of(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def dig(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...`, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
