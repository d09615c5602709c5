"""The data table (`data/kinds.yaml`): image names and resource types -> kind and technology.

Kinds live in data, not code, so teaching the importer a new image is one line of YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class ImageKind:
    """What an image is, or why it is skipped."""

    kind: str
    technology: str
    skip: str = ""
    from_table: bool = True


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """The parsed kinds table (bundled, trusted, small)."""
    with (DATA / "kinds.yaml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@lru_cache(maxsize=1)
def questions() -> list[dict[str, Any]]:
    """The questions every draft asks (`data/questions.yaml`)."""
    with (DATA / "questions.yaml").open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = yaml.safe_load(handle)
    return data


def image_base(image: str) -> str:
    """`frontend` from `us-docker.pkg.dev/x/frontend:v1` or `frontend@sha256:...`."""
    last = image.strip().split("/")[-1]
    return last.split("@")[0].split(":")[0].lower()


def classify_image(image: str) -> ImageKind:
    """Kind and technology of a container image, from the first matching table row."""
    base = image_base(image)
    for row in table()["images"]:
        if re.match(row["match"], base):
            technology = str(row.get("technology", "")).replace("{image}", base)
            return ImageKind(row.get("kind", ""), technology, row.get("skip", ""))
    unknown = table()["unknown"]["image"]
    return ImageKind(unknown["kind"], f"{unknown['technology']} {base}", from_table=False)


def resource_row(resource_type: str) -> dict[str, Any] | None:
    """The table row of a Terraform resource type, or None when the table lacks it."""
    row: dict[str, Any] | None = table()["resources"].get(resource_type)
    return row


def host_env_suffixes() -> tuple[str, ...]:
    """Suffixes of environment variable names whose value is another service's host."""
    return tuple(table()["host_env_suffixes"])
