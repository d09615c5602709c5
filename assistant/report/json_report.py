"""The JSON report: the `Review` model as data, with a published JSON Schema.

The schema is generated from the Pydantic models and committed; a test fails when the models
change without the committed schema (and `schema_version`) following.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.assessment.model import Review


def render_json(review: Review) -> str:
    """Serialise a review as stable, indented JSON."""
    return review.model_dump_json(indent=2) + "\n"


def report_schema() -> dict[str, object]:
    """Return the JSON Schema of the report."""
    schema = Review.model_json_schema(mode="serialization")
    schema["$id"] = "https://archreview.local/schema/report.schema.json"
    return schema


def write_schema(path: Path) -> None:
    """Write the report's JSON Schema to a file."""
    path.write_text(json.dumps(report_schema(), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")
