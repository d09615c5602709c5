"""Read and parse an intake file with hard bounds, so hostile input is refused fast and small.

Why bounds: a YAML alias bomb (a few hundred bytes that expand to millions of nodes), 5,000
nested brackets (Python's recursion limit) or a 50 MB file would otherwise cost seconds,
gigabytes or a traceback before any validation runs. Here the file size is checked before
reading, YAML nesting depth and the *expanded* node count (aliases counted every time they are
used) are checked while composing, and duplicate keys are errors naming both lines instead of
the later one silently winning. Only the safe loader is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from assistant.intake.problems import IntakeError, Problem, file_problem

Loc = tuple[str | int, ...]
MAX_DEPTH = 32
MAX_NODES = 100_000


class _Refused(Exception):
    """A structural bound was crossed while composing; carries the message and line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts nesting depth and expanded nodes while composing.

    An alias returns the node it refers to; its expanded size is memoised, so counting costs
    linear time in the text while still charging every use of an alias in full.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._weights: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", mark.line + 1)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None:
            self._weigh(node)
        return node

    def _weigh(self, node: yaml.Node) -> int:
        known = self._weights.get(id(node))
        if known is not None:
            return known
        weight = 1
        if isinstance(node, yaml.MappingNode):
            weight += sum(self._weights.get(id(k), 1) + self._weights.get(id(v), 1)
                          for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            weight += sum(self._weights.get(id(item), 1) for item in node.value)
        if weight > MAX_NODES:
            raise _Refused(f"expands to more than {MAX_NODES:,} values (YAML aliases are "
                           "counted each time they are used)", node.start_mark.line + 1)
        self._weights[id(node)] = weight
        return weight


def read_text(path: Path, max_bytes: int) -> str:
    """Read a file as UTF-8, refusing folders, unreadable files and files over `max_bytes`."""
    try:
        if path.is_dir():
            raise file_problem(path, "is a folder; expected an intake file (YAML or JSON)")
        size = path.stat().st_size
        if size > max_bytes:
            raise file_problem(path, f"file is {size:,} bytes; the limit is {max_bytes:,} bytes "
                               "(setting ARCHREVIEW_MAX_INTAKE_BYTES)")
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise file_problem(path, "file not found") from None
    except PermissionError:
        raise file_problem(path, "permission denied: the file cannot be read") from None
    except OSError as error:
        raise file_problem(path, f"cannot be read: {error.strerror or error}") from None
    if len(raw) > max_bytes:
        raise file_problem(path, f"more than {max_bytes:,} bytes; the limit is {max_bytes:,} "
                           "bytes (setting ARCHREVIEW_MAX_INTAKE_BYTES)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise file_problem(path, f"expected UTF-8 text ({error.reason})") from None


def parse(path: Path, text: str) -> tuple[Any, dict[Loc, int]]:
    """Parse JSON or YAML; return the data and a map from field path to line number."""
    if path.suffix.lower() == ".json":
        return _parse_json(path, text)
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (_Refused, yaml.YAMLError) as error:
        raise _yaml_problem(path, error) from None
    _require_mapping(path, data)
    lines: dict[Loc, int] = {}
    duplicates: dict[int, Problem] = {}
    _index_lines(node, (), lines, duplicates, path)
    if duplicates:
        raise IntakeError(path, [duplicates[line] for line in sorted(duplicates)])
    return data, lines


def _yaml_problem(path: Path, error: Exception) -> IntakeError:
    """The one-line problem for YAML the bounded loader refused or could not read."""
    if isinstance(error, _Refused):
        return file_problem(path, f"refused: {error}", error.line)
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(error, "problem", None) or str(error)
    return file_problem(path, f"malformed YAML: {reason}", line)


def compose_documents(path: Path, text: str) -> list[yaml.Node]:
    """Compose every document of a (multi-document) YAML file, with the same bounds.

    For readers of other people's YAML (Kubernetes manifests, compose files): the nodes keep
    their line numbers. Empty documents are skipped.
    """
    try:
        loader = _BoundedLoader(text)
        try:
            nodes = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    nodes.append(node)
            return nodes
        finally:
            loader.dispose()
    except (_Refused, yaml.YAMLError) as error:
        raise _yaml_problem(path, error) from None


def construct(node: yaml.Node) -> Any:
    """Plain data from a composed node (safe constructors only)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _parse_json(path: Path, text: str) -> tuple[Any, dict[Loc, int]]:
    """Parse JSON; duplicate keys and nesting beyond the bound are errors, not silent.

    The data is JSON's; the lines come from composing the same text as YAML (JSON is
    nearly a subset of it), so errors and duplicate keys name their lines as for YAML files.
    Text the YAML composer does not take (rare escapes) keeps its problems without lines.
    """
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise file_problem(path, f"malformed JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise file_problem(path, f"refused: nested deeper than {MAX_DEPTH} levels") from None
    if _depth(data) > MAX_DEPTH:
        raise file_problem(path, f"refused: nested deeper than {MAX_DEPTH} levels")
    _require_mapping(path, data)
    lines: dict[Loc, int] = {}
    with_lines: dict[int, Problem] = {}
    _index_lines(_json_as_yaml_node(text), (), lines, with_lines, path)
    if with_lines:
        raise IntakeError(path, [with_lines[line] for line in sorted(with_lines)])
    if duplicates:
        raise IntakeError(path, [Problem(str(path), key, "duplicate key: it appears more than "
                                         "once in the same object; keep one")
                                 for key in dict.fromkeys(duplicates)])
    return data, lines


def _json_as_yaml_node(text: str) -> yaml.Node | None:
    """Compose valid JSON text as YAML for its line marks (None when YAML does not take it)."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    except (_Refused, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


def _depth(data: Any) -> int:
    """The nesting depth of parsed JSON, measured without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, level = pending.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        children = value.values() if isinstance(value, dict) else (
            value if isinstance(value, list) else ())
        pending.extend((child, level + 1) for child in children)
    return deepest


def _require_mapping(path: Path, data: Any) -> None:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "an empty file"
        raise file_problem(path, f"expected a mapping of intake fields, got {kind}")


def _index_lines(node: yaml.Node | None, loc: Loc, lines: dict[Loc, int],
                 duplicates: dict[int, Problem], path: Path) -> None:
    """Map each field path to its line and note every key given twice in one mapping.

    Bounded: the expanded node count was checked while composing. A duplicate inside an
    anchored mapping is reported once (keyed by its line).
    """
    if node is None:
        return
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if isinstance(key, str) and key_node.tag != "tag:yaml.org,2002:merge":
                if key in first and line not in duplicates:
                    duplicates[line] = Problem(str(path), _dotted((*loc, key)), (
                        f"duplicate key: given on line {first[key]} and again on line {line}; "
                        "keep one"), line)
                first.setdefault(key, line)
            _index_lines(value_node, (*loc, key), lines, duplicates, path)
            lines[(*loc, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*loc, index), lines, duplicates, path)


def _dotted(loc: Loc) -> str:
    """`components[2].capacity.vcpu` from a location tuple."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
