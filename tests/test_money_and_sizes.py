"""Sizes and money as teams write them: notation read per its separators, unknowns refused.

`archreview validate` and `review()` share `validate_intake`, so each bad value below must come
back as a problem naming the file, the line, the field and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli.app import app
from assistant.intake.loading import IntakeError, load_intake
from assistant.intake.money import Money
from tests.helpers import component, intake_data


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("€1.500/month", 1500, "EUR"), ("1.500,50 EUR", 1500.5, "EUR"),
    ("3.000,50 EUR", 3000.5, "EUR"), ("$1,500.50", 1500.5, "USD"), ("1500 USD", 1500, "USD"),
    ("€500,000/month", 500_000, "EUR"), ("1.000.000 EUR", 1_000_000, "EUR"),
    ("1,5 EUR", 1.5, "EUR"), ("£99.99", 99.99, "GBP"), ("1'500 CHF", 1500, "CHF"),
])
def test_money_reads_its_notation(text: str, amount: float, currency: str) -> None:
    money = Money.model_validate(text)
    assert (money.amount, money.currency) == (pytest.approx(amount), currency)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.5000 EUR", "at most two decimals"), ("1,50,000 EUR", "groups of three digits"),
    ("1.500.5 EUR", "groups of three digits"), ("€5 USD", "names two currencies"),
    ("1.500,5,0 EUR", "one decimal mark"),
])
def test_ambiguous_money_is_refused_with_what_was_expected(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        Money.model_validate(text)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        load_intake(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("size", "nearest"), [
    ("m5.2xlarg", "m5.2xlarge"), ("t99.mega", None), ("db.r5.12xlarg", "db.r5.12xlarge"),
])
def test_unknown_size_names_nearest_rows_and_the_override_hint(
        tmp_path: Path, size: str, nearest: str | None) -> None:
    data = intake_data()
    component(data, "api")["size"] = size
    path = _write(tmp_path, data)
    [problem] = _problems(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: components\[1\]\.size: ", problem)
    assert "components[1].size" in problem and f"unknown size '{size}'" in problem
    assert "catalogue_overrides" in problem
    if nearest:
        assert nearest in problem.split("nearest catalogue names:")[1]


def test_a_size_added_by_override_is_known(tmp_path: Path) -> None:
    data = intake_data(catalogue_overrides=[{
        "name": "x9.huge", "family": "compute", "vcpu": 8, "memory_gb": 32,
        "monthly_price": "300 USD"}])
    component(data, "api")["size"] = "x9.huge"
    assert load_intake(_write(tmp_path, data)).component("api").size == "x9.huge"


def test_real_rds_sizes_teams_name_are_in_the_catalogue(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "db")["size"] = "db.r5.12xlarge"
    component(data, "api")["size"] = "c6i.2xlarge"
    load_intake(_write(tmp_path, data))


def test_unknown_currency_lists_the_known_ones(tmp_path: Path) -> None:
    data = intake_data(constraints={"team_size": 4, "budget_per_month": "5000 XYZ"})
    path = _write(tmp_path, data)
    [problem] = _problems(path)
    assert "constraints.budget_per_month" in problem and "unknown currency 'XYZ'" in problem
    assert "EUR" in problem and "USD" in problem


def test_cli_validate_names_file_line_field_and_expectation(tmp_path: Path) -> None:
    money = intake_data(constraints={"team_size": 4, "budget_per_month": "1.5000 EUR"})
    money_path = _write(tmp_path, money)
    sized = intake_data()
    component(sized, "api")["size"] = "t99.mega"
    size_path = tmp_path / "sized.yaml"
    size_path.write_text(yaml.safe_dump(sized, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(money_path), str(size_path)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert re.search(rf"{re.escape(str(money_path))}:\d+: constraints\.budget_per_month", text)
    assert "at most two decimals" in text
    assert re.search(rf"{re.escape(str(size_path))}:\d+: components\[1\]\.size", text)
    assert "unknown size 't99.mega'" in text


def test_review_of_an_intake_in_code_applies_the_catalogue_checks() -> None:
    from assistant import Settings, review
    from assistant.intake.schema import Intake

    data = intake_data()
    component(data, "api")["size"] = "m5.2xlarg"
    with pytest.raises(IntakeError, match="unknown size 'm5.2xlarg'"):
        review(Intake.model_validate(data), Settings(), use_knowledge_base=False)
