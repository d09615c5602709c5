"""The JSON of `terraform show -json` (a plan or a state), Terraform's documented format.

Resources come from `planned_values` (plan) or `values` (state), root and child modules alike,
with their evaluated attribute values; references come from the plan's `configuration`
expressions, else from the values. A resource's line is the line of its `"address"`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.importers.model import ImportProblem, Origin, SourceRead
from assistant.importers.terraform import Resource, read_resources, references
from assistant.intake.parsing import MAX_DEPTH


class TerraformJsonReader:
    """`terraform show -json` output."""

    format = "terraform-json"

    def claims(self, path: Path, text: str) -> bool:
        """A JSON file with Terraform's `format_version` and plan or state values."""
        head = text[:4000]
        return path.suffix.lower() == ".json" and '"format_version"' in head and (
            '"planned_values"' in text or '"values"' in text)

    def read(self, path: Path, text: str) -> SourceRead:
        """Read every managed resource of every module."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ImportProblem(str(path), f"malformed JSON: {error.msg}", error.lineno) from None
        except RecursionError:
            raise ImportProblem(str(path), f"nested deeper than {MAX_DEPTH} levels") from None
        values = data.get("planned_values") or data.get("values") if isinstance(data, dict) \
            else None
        root = values.get("root_module") if isinstance(values, dict) else None
        if not isinstance(root, dict):
            raise ImportProblem(str(path), "expected terraform show -json output with "
                                "planned_values.root_module or values.root_module")
        configured = _configured_references(data)
        resources: dict[str, Resource] = {}
        for item in _module_resources(root):
            if item.get("mode", "managed") != "managed":
                continue
            address = str(item.get("address", ""))
            key = _config_address(address)
            if key in resources:  # one more instance of a counted resource
                resources[key].values["count"] = resources[key].values.get("count", 1) + 1
                continue
            attributes = dict(item.get("values") or {})
            if item.get("index") is not None:
                attributes["count"] = 1
            refs = configured.get(key, set()) or references(attributes)
            resources[key] = Resource(str(item.get("type")), str(item.get("name")), attributes,
                                      Origin(str(path), _line(text, address)), refs)
        read = SourceRead(self.format, path)
        read_resources(read, list(resources.values()))
        return read


def _module_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (r for r in module.get("resources") or [] if isinstance(r, dict))
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _module_resources(child)


def _config_address(address: str) -> str:
    """`aws_instance.web` from `module.app.aws_instance.web[0]` (the key references use)."""
    return ".".join(address.split("[")[0].split(".")[-2:])


def _configured_references(data: dict[str, Any]) -> dict[str, set[str]]:
    """`type.name` -> the `type.name`s its configured expressions reference (root module)."""
    found: dict[str, set[str]] = {}
    config = data.get("configuration") or {}
    for resource in (config.get("root_module") or {}).get("resources") or []:
        refs = references(json.dumps(resource.get("expressions") or {}))
        found[str(resource.get("address"))] = refs
    return found


def _line(text: str, address: str) -> int:
    at = text.find(f'"address": "{address}"')
    if at < 0:
        at = text.find(f'"address":"{address}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
