"""Terraform configuration (`*.tf`) through python-hcl2.

Resource blocks are read as written: literal attributes are used, expressions (`var.count`,
`${...}`) are not evaluated and are said so. Modules are not followed: each is listed with
its source (import `terraform show -json` output to see what they create). python-hcl2 keeps
no line numbers, so a block's line is found by its `resource "type" "name"` header.
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

from assistant.importers.model import ImportProblem, Origin, Skipped, SourceRead
from assistant.importers.terraform import Resource, read_resources, references

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False,
                                strip_string_quotes=True)


class TerraformHclReader:
    """Terraform's HCL configuration language."""

    format = "terraform"

    def claims(self, path: Path, text: str) -> bool:
        """A `.tf` file."""
        return path.suffix.lower() == ".tf"

    def read(self, path: Path, text: str) -> SourceRead:
        """Read every resource and module block of the file."""
        try:
            data = hcl2.loads(text, serialization_options=_OPTIONS)
        except Exception as error:  # noqa: BLE001 - lark raises many types; one clear line
            line = getattr(error, "line", None)
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ImportProblem(str(path), f"malformed HCL: {reason}", line) from None
        read = SourceRead(self.format, path)
        resources = []
        for block in data.get("resource") or []:
            for resource_type, named in block.items():
                for name, values in named.items():
                    values = values if isinstance(values, dict) else {}
                    origin = Origin(str(path), _header_line(text, "resource", resource_type, name))
                    resources.append(Resource(resource_type, name, values, origin,
                                              references(values)))
        for block in data.get("module") or []:
            for name, values in block.items():
                source = values.get("source", "?") if isinstance(values, dict) else "?"
                read.skipped.append(Skipped(
                    f"module.{name}", Origin(str(path), _header_line(text, "module", name)),
                    f"module (source {source}) not followed: import `terraform show -json` "
                    "output to include what it creates"))
        read_resources(read, resources)
        return read


def _header_line(text: str, block: str, *labels: str) -> int:
    """The line of `block "label" "label" {` (1 when the header is written unusually)."""
    quoted = r"[ \t]+".join(rf'"?{re.escape(label)}"?' for label in labels)
    match = re.search(rf"^[ \t]*{block}[ \t]+{quoted}[ \t]*\{{", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1
