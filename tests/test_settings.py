"""Run settings: defaults, the environment, `.env`, explicit overrides, and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.settings import KEY_VARIABLES, Settings

CANARY = "sk-test-canary-DO-NOT-LEAK-settings-0123456789"


@pytest.fixture
def clean_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, so no `.env` of the checkout is read."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(clean_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHREVIEW_INTERNAL_ERRORS", raising=False)
    settings = Settings.from_env()
    assert (settings.provider, settings.language, settings.max_retries) == ("offline", "en", 2)
    assert settings.step_timeout_s == 90.0 and settings.internal_errors == "fallback"
    assert settings.model_name == "offline-analyzer"


def test_env_var_wins_over_default(clean_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_MAX_RETRIES", "5")
    monkeypatch.setenv("ARCHREVIEW_STEP_TIMEOUT_S", "12.5")
    monkeypatch.setenv("ARCHREVIEW_LANG", "de")
    monkeypatch.setenv("ARCHREVIEW_PROVIDER", "openai")
    settings = Settings.from_env()
    assert (settings.max_retries, settings.step_timeout_s) == (5, 12.5)
    assert settings.language == "de" and settings.model_name == "gpt-4.1-mini"


def test_explicit_override_wins_over_env(clean_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_PROVIDER", "anthropic")
    monkeypatch.setenv("ARCHREVIEW_LANG", "de")
    monkeypatch.setenv("ARCHREVIEW_MODEL", "from-env")
    settings = Settings.from_env(provider="openai-compatible", language="en", model=None)
    assert (settings.provider, settings.language) == ("openai-compatible", "en")
    assert settings.model == "from-env"  # None is "not given", not "empty"


def test_dotenv_is_read_and_the_environment_wins_over_it(
        clean_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_dir / ".env").write_text(
        "ARCHREVIEW_MAX_REPAIRS=4\nARCHREVIEW_LANG=de\nARCHREVIEW_CACHE_DIR=/elsewhere\n"
        f"ARCHREVIEW_COMPATIBLE_API_KEY={CANARY}\n", encoding="utf-8")
    monkeypatch.delenv("ARCHREVIEW_COMPATIBLE_API_KEY", raising=False)
    monkeypatch.setenv("ARCHREVIEW_LANG", "en")
    settings = Settings.from_env()
    assert settings.max_repairs == 4 and settings.language == "en"
    assert CANARY not in repr(settings) and CANARY not in settings.model_dump_json()


def test_keys_are_never_settings() -> None:
    names = {name.upper() for name in Settings.model_fields}
    for variable in KEY_VARIABLES.values():
        assert variable.removeprefix("ARCHREVIEW_") not in names


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("ARCHREVIEW_MAX_RETRIES", "many", "ARCHREVIEW_MAX_RETRIES: expected a valid integer"),
    ("ARCHREVIEW_STEP_TIMEOUT_S", "0", "ARCHREVIEW_STEP_TIMEOUT_S: expected greater than 0"),
    ("ARCHREVIEW_LANG", "fr", "ARCHREVIEW_LANG: expected 'en' or 'de', got 'fr'"),
    ("ARCHREVIEW_INTERNAL_ERRORS", "ignore",
     "ARCHREVIEW_INTERNAL_ERRORS: expected 'fallback' or 'raise', got 'ignore'"),
    ("ARCHREVIEW_PROVIDER", "gemini", "ARCHREVIEW_PROVIDER: expected 'offline', 'anthropic'"),
])
def test_bad_value_names_the_variable_and_the_expectation(
        clean_dir: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
        expected: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match="invalid settings") as caught:
        Settings.from_env()
    assert expected in str(caught.value)
    assert "Traceback" not in str(caught.value) and "pydantic" not in str(caught.value)


def test_bad_override_names_the_argument(clean_dir: Path) -> None:
    with pytest.raises(ValueError, match="language: expected 'en' or 'de', got 'fr'"):
        Settings.from_env(language="fr")
    with pytest.raises(TypeError, match="unknown settings: colour"):
        Settings.from_env(colour="blue")


def test_cli_turns_a_bad_env_value_into_a_usage_error(
        clean_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli.app import app
    from tests.conftest import EXAMPLES

    monkeypatch.setenv("ARCHREVIEW_MAX_RETRIES", "-1")
    result = CliRunner().invoke(app, ["review", str(EXAMPLES / "ecommerce-workshop.yaml"),
                                      "--out", str(clean_dir)])
    assert result.exit_code == 2
    message = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())
    assert "ARCHREVIEW_MAX_RETRIES: expected greater than or equal to 0, got '-1'" in message
    assert "Traceback" not in result.output
