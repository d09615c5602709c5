"""Intake loading: every kind of bad input names file, field, line and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from assistant.intake.loading import IntakeError, load_intake
from assistant.intake.money import Money
from assistant.intake.schema import Intake
from tests.conftest import EXAMPLES
from tests.helpers import component, intake_data


def write(tmp_path: Path, data: object, name: str = "intake.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        load_intake(path)
    assert caught.value.path == path
    return [str(p) for p in caught.value.problems]


def test_every_example_but_the_broken_one_loads() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name != "broken-intake.yaml":
            assert load_intake(path).components, path


def test_missing_field(tmp_path: Path) -> None:
    data = intake_data()
    del data["constraints"]["team_size"]
    [problem] = problems(write(tmp_path, data))
    assert "constraints.team_size" in problem and "required field is missing" in problem
    assert str(tmp_path / "intake.yaml") in problem


def test_wrong_type_reports_line_and_value(tmp_path: Path) -> None:
    data = intake_data()
    data["targets"]["target_users"] = "a lot"
    path = write(tmp_path, data)
    [problem] = problems(path)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "a lot" in text)
    assert f"{path}:{line}: targets.target_users" in problem
    assert "valid integer" in problem and "'a lot'" in problem


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "api")["instnaces"] = 2
    [problem] = problems(write(tmp_path, data))
    assert "components[1].instnaces" in problem
    assert "unknown field 'instnaces'; did you mean 'instances'?" in problem


def test_negative_load(tmp_path: Path) -> None:
    data = intake_data()
    data["current"]["requests_per_second"] = -5
    [problem] = problems(write(tmp_path, data))
    assert "current.requests_per_second" in problem and "greater than 0" in problem


def test_duplicate_component_ids(tmp_path: Path) -> None:
    data = intake_data()
    data["components"].append({"id": "api", "kind": "worker"})
    [problem] = problems(write(tmp_path, data))
    assert "components[4].id" in problem and "duplicate component id 'api'" in problem


def test_depends_on_unknown_component(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "api")["depends_on"] = ["dbb"]
    [problem] = problems(write(tmp_path, data))
    assert "components[1].depends_on[0]" in problem
    assert "unknown 'dbb'; did you mean 'db'?" in problem


def test_dependency_cycle(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "db")["depends_on"] = ["lb"]
    [problem] = problems(write(tmp_path, data))
    assert "cycle" in problem and "api -> db -> lb -> api" in problem


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ncomponents:\n  - id: a\n   kind: app\n", encoding="utf-8")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:4:") and "malformed YAML" in problem


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x",\n "components": [}', encoding="utf-8")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:2:") and "malformed JSON" in problem


def test_json_intake_loads(tmp_path: Path) -> None:
    import json

    path = tmp_path / "ok.json"
    path.write_text(json.dumps(intake_data()), encoding="utf-8")
    assert load_intake(path).name == "test system"


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    [problem] = problems(path)
    assert "malformed YAML" in problem


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "expected a mapping" in problems(path)[0]
    assert "file not found" in problems(tmp_path / "nope.yaml")[0]


def test_broken_example_reports_all_problems_at_once() -> None:
    found = problems(EXAMPLES / "broken-intake.yaml")
    joined = "\n".join(found)
    assert len(found) == 5, joined
    for fragment in ("current.requests_per_second", "targets.target_users",
                     "constraints.budget_per_month", "did you mean 'instances'",
                     "components[1].kind"):
        assert fragment in joined


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("€5000/month", 5000, "EUR"), ("5,000 USD", 5000, "USD"), ("$1500", 1500, "USD"),
    ("200 eur / month", 200, "EUR"),
])
def test_money_text_forms(text: str, amount: float, currency: str) -> None:
    money = Money.model_validate(text)
    assert (money.amount, money.currency) == (amount, currency)


def test_money_without_currency_is_rejected() -> None:
    with pytest.raises(ValueError, match="with its currency"):
        Money.model_validate("5000")


def test_hottest_partition_cannot_be_below_average(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "db")["data"] = {"partitions": 4, "hottest_partition_share": 0.1}
    [problem] = problems(write(tmp_path, data))
    assert "components[3].data" in problem and "below the average share" in problem


def _targets_error(**targets: object) -> str:
    data = intake_data()
    data["targets"] = {**data["targets"], **targets}
    with pytest.raises(ValidationError) as error:
        Intake.model_validate(data)
    return str(error.value)


def test_a_growth_anchor_the_target_overrides_or_never_reaches_is_refused() -> None:
    assert "conflicts with target_users" in _targets_error(twelve_month_users=8000)
    assert "beyond target_month 6" in _targets_error(target_month=6, twelve_month_users=8000)
    same = intake_data()
    same["targets"]["twelve_month_users"] = same["targets"]["target_users"]
    Intake.model_validate(same)  # the same figure twice is consistent, so accepted


def test_a_p95_below_the_average_is_refused() -> None:
    data = intake_data()
    data["current"].update(avg_response_time_ms=200, p95_response_time_ms=150)
    with pytest.raises(ValidationError, match="p95_response_time_ms 150 is below"):
        Intake.model_validate(data)
