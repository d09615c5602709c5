"""Hostile and broken intake files: refused at the boundary with file, field and cause, fast.

Each case is one of the probes from issue 13 (Infinity rates, alias bombs, 5,000 nested
brackets, duplicate keys, booleans for numbers, a folder as FILE, ...). Every one must end in an
`IntakeError` naming the file, never a traceback, and the worst within a second and 100 MB.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.intake.loading import IntakeError, load_intake
from assistant.intake.parsing import MAX_DEPTH
from tests.helpers import component, intake_data


def _write(tmp_path: Path, data: Any, name: str = "intake.yaml") -> Path:
    path = tmp_path / name
    text = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        load_intake(path, **kwargs)
    problems = [str(p) for p in caught.value.problems]
    assert problems and all(p.startswith(str(path)) for p in problems)
    return problems


def _alias_bomb(width: int, depth: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "field"), [
    ('"requests_per_second": Infinity', "current.requests_per_second"),
    ('"requests_per_second": NaN', "current.requests_per_second"),
    ('"requests_per_second": -Infinity', "current.requests_per_second"),
])
def test_json_infinity_and_nan_are_refused_naming_the_field(tmp_path: Path, text: str,
                                                             field: str) -> None:
    good = json.dumps(intake_data())
    path = tmp_path / "intake.json"
    path.write_text(good.replace('"requests_per_second": 100', text), encoding="utf-8")
    problems = _problems(path)
    assert any(f": {field}: Input should be a finite number" in p for p in problems)


@pytest.mark.parametrize(("section", "key", "value", "expected"), [
    ("current", "requests_per_second", float("inf"), "finite number"),
    ("targets", "target_users", 10**308, "less than or equal to 10000000000"),
    ("targets", "target_requests_per_second", 1e308, "less than or equal to 1000000000"),
    ("constraints", "team_size", True, "valid integer"),
    ("current", "active_users", False, "valid integer"),
    ("current", "requests_per_second", "100", "valid number"),
    ("current", "peak_factor", 1e6, "less than or equal to 100"),
])
def test_numbers_are_strict_finite_and_bounded(tmp_path: Path, section: str, key: str,
                                               value: Any, expected: str) -> None:
    data = intake_data()
    data[section][key] = value
    problems = _problems(_write(tmp_path, data))
    assert any(f"{section}.{key}: " in p and expected in p for p in problems), problems


def test_yaml_inf_and_bool_capacity_are_refused(tmp_path: Path) -> None:
    data = intake_data()
    component(data, "api")["capacity"] = {"per_instance": float("inf"), "vcpu": True}
    problems = _problems(_write(tmp_path, data))
    assert any("components[1].capacity.per_instance: Input should be a finite number" in p
               for p in problems)
    assert any("components[1].capacity.vcpu: Input should be a valid number" in p
               for p in problems)


@pytest.mark.parametrize("freshness", ["banana", "5 parsecs", "99999999999 years"])
def test_unreadable_data_freshness_is_a_schema_error(tmp_path: Path, freshness: str) -> None:
    data = intake_data(endpoints=[{"path": "/api/x", "requests_per_minute": 60,
                                   "avg_response_time_ms": 100, "data_freshness": freshness}])
    problems = _problems(_write(tmp_path, data))
    assert any("endpoints[0]: " in p and "data_freshness" in p for p in problems), problems


def test_endpoint_path_with_a_line_break_is_refused(tmp_path: Path) -> None:
    data = intake_data(endpoints=[{"path": "/a\r# Ignore", "requests_per_minute": 1,
                                   "avg_response_time_ms": 1}])
    assert any("endpoints[0].path: " in p for p in _problems(_write(tmp_path, data)))


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    text = yaml.safe_dump(intake_data(), sort_keys=False)
    path.write_text(text + "name: second name\n", encoding="utf-8")
    (problem,) = _problems(path)
    last = len(text.splitlines()) + 1
    assert problem == (f"{path}:{last}: name: duplicate key: given on line 1 and again on line "
                       f"{last}; keep one")


def test_duplicate_keys_in_nested_mappings_and_json(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("constraints:\n  team_size: 3\n  team_size: 4\n", encoding="utf-8")
    (problem,) = _problems(path)
    assert "constraints.team_size: duplicate key: given on line 2 and again on line 3" in problem
    json_path = tmp_path / "dup.json"
    json_path.write_text('{"name": "a", "name": "b"}', encoding="utf-8")
    assert any(": name: duplicate key" in p for p in _problems(json_path))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(("name", "text"), [
    ("bomb-7.yaml", _alias_bomb(9, 7)),
    ("bomb-8.yaml", _alias_bomb(9, 8)),
    ("bomb-wide.yaml", _alias_bomb(50, 12)),
    ("deep.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n"),
    ("deep-map.yaml", "".join(f"{' ' * i}k{i}:\n" for i in range(200)) + " " * 200 + "v\n"),
    ("deep.json", '{"x": ' + "[" * 5000 + "]" * 5000 + "}"),
    ("deep-fit.json", '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"),
])
def test_the_worst_structures_are_refused_within_a_second_and_100_mb(
        tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = _peak_rss_mb()
    started = time.perf_counter()
    (problem,) = _problems(path)
    elapsed = time.perf_counter() - started
    assert "refused:" in problem
    assert elapsed < 1.0, f"{name} took {elapsed:.2f} s"
    assert _peak_rss_mb() - before < 100


def test_depth_within_the_bound_is_fine(tmp_path: Path) -> None:
    data = intake_data(description="x")
    path = _write(tmp_path, data)
    assert load_intake(path).description == "x"
    assert MAX_DEPTH >= 16  # real intakes nest at most ~6 levels


def test_file_size_is_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + "#" * 2_000, encoding="utf-8")
    (problem,) = _problems(path, max_bytes=1_000)
    assert "the limit is 1,000 bytes (setting ARCHREVIEW_MAX_INTAKE_BYTES)" in problem


def test_file_size_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_MAX_INTAKE_BYTES", "100")
    path = _write(tmp_path, intake_data())
    (problem,) = _problems(path)
    assert "the limit is 100 bytes" in problem


def test_a_folder_and_a_missing_file_are_one_problem_each(tmp_path: Path) -> None:
    assert _problems(tmp_path) == [f"{tmp_path}: (file): is a folder; expected an intake file "
                                   "(YAML or JSON)"]
    missing = tmp_path / "missing.yaml"
    assert _problems(missing) == [f"{missing}: (file): file not found"]


def test_an_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file: permissions cannot be tested as root")
    path = _write(tmp_path, intake_data())
    path.chmod(0)
    assert _problems(path) == [f"{path}: (file): permission denied: the file cannot be read"]


def test_json_duplicate_keys_and_field_errors_name_their_lines(tmp_path: Path) -> None:
    text = json.dumps(intake_data(), indent=2)
    assert text.count('"team_size": 4') == 1
    path = tmp_path / "dup.json"
    path.write_text(text.replace('"team_size": 4', '"team_size": 4,\n    "team_size": 5'),
                    encoding="utf-8")
    first = text.splitlines().index('    "team_size": 4') + 1
    (problem,) = _problems(path)
    assert problem == (f"{path}:{first + 1}: constraints.team_size: duplicate key: given on "
                       f"line {first} and again on line {first + 1}; keep one")
    path.write_text(text.replace('"team_size": 4', '"team_size": "four"'), encoding="utf-8")
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:{first}: constraints.team_size: ")


def test_money_has_an_upper_bound_and_a_long_value_is_not_echoed(tmp_path: Path) -> None:
    data = intake_data()
    data["constraints"]["budget_per_month"] = "9" * 30 + " USD"
    path = tmp_path / "rich.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (problem,) = _problems(path)
    assert "constraints.budget_per_month" in problem
    assert "more than 1,000,000,000,000,000, the largest amount accepted" in problem
    data["constraints"]["budget_per_month"] = "9" * 5000 + " USD"  # float() gives infinity
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (problem,) = _problems(path)
    assert "the largest amount accepted" in problem and len(problem) < 400
    data["constraints"]["budget_per_month"] = {"amount": 2e15, "currency": "USD"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (problem,) = _problems(path)
    assert "less than or equal to 1000000000000000" in problem
