"""Render the Jinja2 prompt templates in `prompts/`, strictly and sandboxed.

A template that references a variable it was not given fails with an error naming it
(StrictUndefined), and templates run in Jinja's sandbox so a template cannot reach into Python.
Intake text reaches prompts only through `fence()`, inside a block labelled as data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from assistant.bundled import data_folder

PROMPTS_ENV = "ARCHREVIEW_PROMPTS_DIR"
LANGUAGE_NAMES = {"en": "English", "de": "German"}


def prompts_dir() -> Path:
    """The template folder: $ARCHREVIEW_PROMPTS_DIR, else the wheel's copy, else the checkout's.

    Raises:
        DataFolderMissing: if there is none (a FileNotFoundError naming where it looked).
    """
    return data_folder("prompts", PROMPTS_ENV)


@cache
def _environment(folder: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def render(name: str, **variables: object) -> str:
    """Render `prompts/<name>.j2` with exactly these variables."""
    return _environment(prompts_dir()).get_template(f"{name}.j2").render(**variables).strip() + "\n"


def fence(text: str) -> str:
    """Make typed text safe inside a fenced data block: it cannot close the fence."""
    return text.replace("```", "'''")


def template_variables(name: str) -> set[str]:
    """The undeclared variables a template uses (for tests and docs)."""
    from jinja2 import meta

    env = _environment(prompts_dir())
    source = (prompts_dir() / f"{name}.j2").read_text(encoding="utf-8")
    return meta.find_undeclared_variables(env.parse(source))
