"""Where cards and prompts are found: the override, then the wheel's copy, then the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import bundled
from assistant.bundled import DataFolderMissing, data_folder
from assistant.knowledge.cards import CardError, knowledge_dir
from assistant.llm.prompts import prompts_dir


@pytest.fixture
def roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An installed package's `_bundled/` and a checkout's top level, both empty to start."""
    package, checkout = tmp_path / "site-packages" / "assistant" / "_bundled", tmp_path / "repo"
    package.mkdir(parents=True)
    checkout.mkdir()
    monkeypatch.setattr(bundled, "BUNDLED_ROOT", package)
    monkeypatch.setattr(bundled, "CHECKOUT_ROOT", checkout)
    monkeypatch.delenv("ARCHREVIEW_KNOWLEDGE_DIR", raising=False)
    monkeypatch.delenv("ARCHREVIEW_PROMPTS_DIR", raising=False)
    return package, checkout


def test_checkout_folder_without_a_bundled_copy(roots: tuple[Path, Path]) -> None:
    _, checkout = roots
    (checkout / "knowledge").mkdir()
    (checkout / "prompts").mkdir()
    assert knowledge_dir() == checkout / "knowledge"
    assert prompts_dir() == checkout / "prompts"


def test_bundled_copy_wins_over_the_checkout(roots: tuple[Path, Path]) -> None:
    package, checkout = roots
    for root in (package, checkout):
        (root / "knowledge").mkdir()
        (root / "prompts").mkdir()
    assert knowledge_dir() == package / "knowledge"
    assert prompts_dir() == package / "prompts"


def test_environment_override_wins_over_both(roots: tuple[Path, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for root in roots:
        (root / "knowledge").mkdir()
        (root / "prompts").mkdir()
    monkeypatch.setenv("ARCHREVIEW_KNOWLEDGE_DIR", str(tmp_path / "my-cards"))
    monkeypatch.setenv("ARCHREVIEW_PROMPTS_DIR", str(tmp_path / "my-prompts"))
    assert knowledge_dir() == tmp_path / "my-cards"
    assert prompts_dir() == tmp_path / "my-prompts"


def test_empty_override_counts_as_unset(roots: tuple[Path, Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    package, _ = roots
    (package / "knowledge").mkdir()
    monkeypatch.setenv("ARCHREVIEW_KNOWLEDGE_DIR", "")
    assert knowledge_dir() == package / "knowledge"


def test_neither_folder_is_a_clear_error(roots: tuple[Path, Path]) -> None:
    package, checkout = roots
    with pytest.raises(DataFolderMissing) as missing:
        data_folder("prompts", "ARCHREVIEW_PROMPTS_DIR")
    message = str(missing.value)
    assert str(package / "prompts") in message and str(checkout / "prompts") in message
    assert "ARCHREVIEW_PROMPTS_DIR" in message
    with pytest.raises(CardError, match="knowledge/ folder is missing"):
        knowledge_dir()


def test_the_real_folders_resolve() -> None:
    """Whether run from a checkout or an installed wheel, both folders have their files."""
    assert len(list(data_folder("knowledge").glob("*.md"))) >= 40
    assert (data_folder("prompts") / "system.j2").is_file()
