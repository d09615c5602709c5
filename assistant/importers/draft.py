"""The draft intake: what the files say as fields, what they cannot say as questions.

The draft is YAML text with comments: each component names the file and line it came from
(also in its `notes`, so the trace survives edits that drop comments), inferred patterns and
assumed sizes say so, and everything read but not made a component is listed at the end.
Once every `{ask: ..., assume: ...}` marker is replaced by an answer it is a plain intake.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from assistant.importers.merge import Merged
from assistant.importers.model import Found, Skipped
from assistant.importers.sizing import choose_size
from assistant.importers.table import questions
from assistant.intake.schema import DATA_KINDS

APP_KINDS = frozenset({"web", "app", "worker"})


@dataclass
class Draft:
    """The draft's data (markers included), its comments and its YAML text."""

    data: dict[str, Any]
    comments: dict[str, list[str]] = field(default_factory=dict)  # component id -> comments
    header: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def text(self) -> str:
        """The draft as commented YAML."""
        lines = [_comment(line) for line in self.header]
        for key, value in self.data.items():
            if key == "components":
                lines.append("components:")
                for component in value:
                    lines += ["  " + _comment(c) for c in self.comments.get(component["id"], [])]
                    lines.append(_indent_item(_dump(component)))
            elif key == "architecture":
                lines += [_comment(c) for c in self.comments.get("architecture", [])]
                lines.append(_dump({key: value}).rstrip())
            else:
                lines.append(_dump({key: value}).rstrip())
        lines += [_comment(line) for line in self.footer]
        return "\n".join(lines) + "\n"


def build_draft(merged: Merged, name: str, sources: list[str]) -> Draft:
    """The draft intake for a merged import."""
    components, comments = [], {}
    for cid, found in merged.components.items():
        entry, notes = _component(cid, found, merged.depends_on[cid])
        components.append(entry)
        comments[cid] = notes
    data: dict[str, Any] = {"name": name, "source": "archreview import of " + ", ".join(sources)}
    data["architecture"], comments["architecture"] = _architecture(merged)
    for section, values in _asked().items():
        data[section] = values
    data["components"] = components
    return Draft(data, comments, _header(merged, sources), _footer(merged), merged.skipped)


def marker(question: str, placeholder: Any) -> dict[str, Any]:
    """An open-question marker (assistant/intake/drafts.py reads it)."""
    return {"ask": question, "assume": placeholder}


def _asked() -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for row in questions():
        section, key = row["field"]
        sections.setdefault(section, {})[key] = marker(row["ask"], row["assume"])
    return sections


def _component(cid: str, found: Found, depends_on: list[str]) -> tuple[dict[str, Any], list[str]]:
    comments = [f"from {found.origin}"]
    entry: dict[str, Any] = {"id": cid, "kind": found.kind, "technology": found.technology[:200]}
    if not found.kind_from_table:
        comments.append(f"kind {found.kind}: assumption, its image is not in the importer's "
                        "table (importers/data/kinds.yaml)")
    entry["instances"] = marker(f"How many instances of {cid} run? The files compute it.", 1) \
        if found.instances_unknown else found.instances
    granted = f"{found.resources_from} the files grant" if found.resources_from else ""
    choice = choose_size(cid, found.kind, found.size, found.vcpu, found.memory_gb, granted)
    if choice.question:
        entry["size"] = marker(choice.question, choice.size)
    elif choice.size:
        entry["size"] = choice.size
    if choice.comment:
        comments.append(choice.comment)
    capacity = {k: round(v, 3) for k, v in (("vcpu", found.vcpu), ("memory_gb", found.memory_gb))
                if v and choice.comment}
    if capacity:
        entry["capacity"] = capacity
    if depends_on:
        entry["depends_on"] = depends_on
    _flags(entry, found)
    entry["notes"] = "; ".join([f"imported from {found.origin}", *found.notes])[:10_000]
    return entry, comments


def _flags(entry: dict[str, Any], found: Found) -> None:
    data = {k: v for k, v in (("replicas", found.replicas), ("multi_az", found.multi_az)) if v}
    if found.kind in DATA_KINDS and data:
        entry["data"] = data
    if found.autoscaling:
        entry["autoscaling"] = True
    if found.health_checks:
        entry["health_checks"] = True
    if found.managed:
        entry["managed"] = True
    if found.local_storage and found.kind not in DATA_KINDS:
        entry["file_storage"] = "local"


def _architecture(merged: Merged) -> tuple[dict[str, str], list[str]]:
    """The four patterns, inferred from what was imported, each with its reason."""
    kinds = Counter(c.kind for c in merged.components.values())
    apps = sum(kinds[k] for k in APP_KINDS)
    dbs = [c for c in merged.components.values() if c.kind == "db"]
    technologies = {c.technology.split(" ")[0] for c in dbs}
    database = ("polyglot" if len(technologies) > 1 else "read_replicas"
                if any(c.replicas for c in dbs) else "single_db")
    containers = bool({"kubernetes", "docker-compose"} & set(merged.formats))
    deployment = "containerized" if containers else ("load_balanced" if kinds["lb"] else
                                                     "single_server")
    caching = "basic" if kinds["cache"] else "none"
    patterns = {"application_pattern": "microservices" if apps >= 3 else "monolith",
                "database_pattern": database, "deployment_pattern": deployment,
                "caching_strategy": caching}
    reason = (f"architecture inferred from the files ({apps} application component(s), "
              f"{len(dbs)} database(s), {kinds['cache']} cache(s), formats "
              f"{', '.join(merged.formats)}): check it")
    return patterns, [reason]


def _header(merged: Merged, sources: list[str]) -> list[str]:
    return [
        "archreview import draft: read from deployment files, not written by hand.",
        f"Sources: {', '.join(sources)} ({', '.join(merged.formats)}).",
        "Every component names the file and line it came from.",
        "What the files cannot say is asked as {ask: question, assume: placeholder}: replace",
        "each with your answer. `archreview validate` lists the questions left; `archreview",
        "review` refuses the draft until they are answered (--allow-draft uses the",
        "placeholders, and the report's assumptions ledger lists every one).",
        "",
    ]


def _footer(merged: Merged) -> list[str]:
    if not merged.skipped:
        return []
    lines = ["", "Read but not imported as components:"]
    lines += [f"  - {s.name} ({s.origin}): {s.reason}" for s in merged.skipped]
    return lines


def _comment(text: str) -> str:
    """One YAML comment line; names from the files cannot break out of it (no line breaks)."""
    flat = " ".join(text.splitlines())
    return f"# {flat}" if flat else "#"


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)


def _indent_item(text: str) -> str:
    rows = text.rstrip().splitlines()
    return "\n".join(["  - " + rows[0], *("    " + row for row in rows[1:])])
