"""The intake the form is building: plain data in the session, loaded, validated, downloaded.

The form edits plain data (what a YAML file holds), not an `Intake`, so a half-filled form can
be shown with the CLI's own messages at its fields and downloaded as it stands. Files are read
by the public `load_intake` (bounded, safe YAML) and checked by `validate_intake`, the CLI's own
validator, so every message is the one `archreview validate` prints.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from assistant import Intake, IntakeError, load_intake, validate_intake

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: The name an intake started empty goes by (its download and the report's input).
EMPTY_NAME = "intake.yaml"
DATA, NAME, GENERATION, PROBLEMS = "intake_data", "intake_name", "form_generation", "load_problems"


def examples() -> list[Path]:
    """The example intakes shipped in `examples/`, by name."""
    return sorted(EXAMPLES.glob("*.yaml"))


def data() -> dict[str, Any]:
    """The intake data the form holds now (empty until something is loaded or typed)."""
    if DATA not in st.session_state:
        st.session_state[DATA] = {}
    value: dict[str, Any] = st.session_state[DATA]
    return value


def name() -> str:
    """The intake's file name: the report's input name and the download's file name."""
    return str(st.session_state.get(NAME, EMPTY_NAME))


def generation() -> int:
    """Bumped on every load, so the widgets start again from the loaded data."""
    return int(st.session_state.get(GENERATION, 0))


def replace(new_data: dict[str, Any], new_name: str) -> None:
    """Put new intake data into the form (every widget is rebuilt from it)."""
    st.session_state[DATA] = new_data
    st.session_state[NAME] = new_name
    st.session_state[GENERATION] = generation() + 1
    st.session_state.pop(PROBLEMS, None)
    st.session_state.pop("review", None)


def as_data(intake: Intake) -> dict[str, Any]:
    """A validated intake as the plain data its file held (what it stated, defaults included)."""
    dumped: dict[str, Any] = intake.model_dump(mode="json", exclude_unset=True)
    return dumped


def read_file(path: Path, shown_name: str) -> tuple[Intake | None, list[str]]:
    """Read an intake file as the CLI does: the intake, or the CLI's problems (under its name)."""
    try:
        return load_intake(path), []
    except IntakeError as error:
        return None, [_problem_line(problem, shown_name) for problem in error.problems]


def read_upload(file_name: str, content: bytes) -> tuple[str, Intake | None, list[str]]:
    """Read an uploaded YAML/JSON intake through the same bounded loader as the CLI.

    Returns the name it goes by (the upload's base name), the intake, and any problems.
    """
    safe = Path(file_name).name or EMPTY_NAME
    with tempfile.TemporaryDirectory(prefix="archreview-upload-") as folder:
        path = Path(folder) / safe
        path.write_bytes(content)
        return (safe, *read_file(path, safe))


def load_file(path: Path, shown_name: str) -> list[str]:
    """Load an intake file into the form; return the CLI's problems when it is invalid."""
    intake, problems = read_file(path, shown_name)
    if intake is not None:
        replace(as_data(intake), shown_name)
    return problems


def load_upload(file_name: str, content: bytes) -> list[str]:
    """Load an uploaded YAML/JSON intake into the form."""
    safe, intake, problems = read_upload(file_name, content)
    if intake is not None:
        replace(as_data(intake), safe)
    return problems


def _problem_line(problem: Any, shown_name: str) -> str:
    where = f"{shown_name}:{problem.line}" if problem.line else shown_name
    return f"{where}: {problem.field or '(file)'}: {problem.message}"


def problems_of(current: dict[str, Any]) -> tuple[Intake | None, list[Any]]:
    """Validate the form's data as the CLI does: the intake, or every problem found."""
    try:
        return validate_intake(Path(name()), current, {}), []
    except IntakeError as error:
        return None, list(error.problems)


def as_yaml(current: dict[str, Any]) -> str:
    """The intake built so far as YAML, ready for git and `archreview review`."""
    text: str = yaml.safe_dump(current, sort_keys=False, allow_unicode=True, width=100)
    return text
