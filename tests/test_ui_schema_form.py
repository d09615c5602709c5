"""The form is read from the intake schema: every field has a place, bounds and choices are the
schema's, and values survive the trip through widgets and table cells unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assistant import Intake, load_intake, validate_intake
from assistant.intake.schema import COMPONENT_KINDS
from ui.schema_form import (
    FieldSpec,
    get_path,
    item_to_row,
    parsed,
    row_to_item,
    sections,
    set_path,
    shown,
)

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
VALID = [p for p in EXAMPLES if p.name != "broken-intake.yaml"]


def _leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every scalar field of the schema, lists of models entered (what a form must offer)."""
    from ui.schema_form import _is_model, _list_item, _unwrap_optional

    found: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():
        annotation, _ = _unwrap_optional(info.annotation)
        item = _list_item(annotation)
        if _is_model(annotation) and annotation.__name__ != "Money":
            found |= _leaf_paths(annotation, (*prefix, name))
        elif item is not None and _is_model(item):
            found |= _leaf_paths(item, (*prefix, name, "[]"))
        else:
            found.add((*prefix, name))
    return found


def _offered() -> set[tuple[str, ...]]:
    offered: set[tuple[str, ...]] = set()
    for section in sections(Intake):
        for spec in section.fields:
            offered.add((*section.path, "[]", *spec.path) if section.table else spec.path)
    return offered


def test_every_intake_field_has_a_place_in_the_form() -> None:
    assert _leaf_paths(Intake) == _offered()


def test_a_new_intake_field_appears_without_ui_code() -> None:
    from pydantic import Field, create_model

    from assistant.intake.schema import Targets

    extended = create_model("Targets", __base__=Targets,
                            peak_season_factor=(float, Field(default=1.0, ge=1, le=10,
                                                             description="December peak.")))
    wider = create_model("Intake", __base__=Intake, targets=(extended, ...))
    spec = next(s for sec in sections(wider) for s in sec.fields
                if s.key == "targets.peak_season_factor")
    assert (spec.kind, spec.minimum, spec.maximum, spec.help) == ("float", 1.0, 10.0,
                                                                  "December peak.")


def _spec(section: str, key: str) -> FieldSpec:
    return next(s for sec in sections(Intake) if sec.name == section for s in sec.fields
                if s.key == key)


def test_titles_help_bounds_and_choices_come_from_the_schema() -> None:
    team = _spec("constraints", "constraints.team_size")
    assert (team.title, team.kind, team.required, team.minimum, team.maximum) == (
        "Team size", "int", True, 1.0, 10_000.0)
    kind = _spec("components", "kind")
    assert kind.choices == COMPONENT_KINDS and kind.required
    peak = _spec("current", "current.peak_factor")
    assert peak.help == "Peak-to-average ratio; the model plans for the peak."
    assert _spec("constraints", "constraints.budget_per_month").kind == "money"
    assert _spec("operations", "operations.monitoring").kind == "optional_bool"
    assert _spec("components", "data.read_ratio").maximum == 1.0


def _through_widgets(data: dict[str, Any]) -> dict[str, Any]:
    """What the form writes back after showing `data` in every widget and table unchanged."""
    rebuilt: dict[str, Any] = {}
    for section in sections(Intake):
        if section.table:
            items = get_path(data, section.path) or []
            rows = [item_to_row(section.fields, item) for item in items]
            back = [row_to_item(section.fields, row, item) for row, item in
                    zip(rows, items, strict=True)]
            if back:
                set_path(rebuilt, section.path, back)
            continue
        for spec in section.fields:
            loaded = get_path(data, spec.path)
            value = parsed(spec, shown(spec, loaded), stated=loaded is not None)
            if value is not None:
                set_path(rebuilt, spec.path, value)
    return rebuilt


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_example_survives_the_widgets_unchanged(path: Path) -> None:
    intake = load_intake(path)
    data = intake.model_dump(mode="json", exclude_unset=True)
    back = validate_intake(path, _through_widgets(data), {})
    assert back == intake
    # what the file stated stays stated (a stated default is the team's figure, not an
    # assumption in the ledger), at the top and in every component
    assert back.model_fields_set == intake.model_fields_set
    assert [c.model_fields_set for c in back.components] == \
        [c.model_fields_set for c in intake.components]


def test_blank_cells_and_defaults_are_left_out_and_counts_stay_integers() -> None:
    instances = _spec("components", "instances")
    assert parsed(instances, float("nan")) is None
    assert parsed(instances, 1.0) is None  # the default: the download stays short
    assert parsed(instances, 3.0) == 3 and isinstance(parsed(instances, 3.0), int)
    depends = _spec("components", "depends_on")
    assert parsed(depends, "api, postgres", ",") == ["api", "postgres"]
    issues = _spec("system", "performance_issues")
    assert parsed(issues, "100,000 users\n2,000 RPS") == ["100,000 users", "2,000 RPS"]
