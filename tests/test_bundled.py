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


def _shipped_yaml_texts() -> list[tuple[str, str]]:
    """Every YAML data file in the package and every pattern card's front matter."""
    import re

    from tests.conftest import ROOT

    texts = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "assistant").rglob("*.yaml"))]
    for card in sorted(knowledge_dir().glob("*.md")):
        meta = re.match(r"\A---\s*\n(.*?)\n---\s*\n", card.read_text(encoding="utf-8"), re.S)
        assert meta is not None, card
        texts.append((card.name, meta.group(1)))
    return texts


def test_the_c_parser_reads_every_shipped_yaml_file_as_the_python_parser_does() -> None:
    """`load_data_yaml` parses with libyaml; the data must be what `yaml.safe_load` gives."""
    import yaml

    assert getattr(yaml, "CSafeLoader", None) is not None  # else the test compares nothing
    texts = _shipped_yaml_texts()
    assert len(texts) > 50
    for name, text in texts:
        assert bundled.load_data_yaml(text) == yaml.safe_load(text), name


def test_yaml_the_c_parser_refuses_gets_the_python_parsers_message() -> None:
    import yaml

    broken = "id: a\n  title: [unclosed\n"
    with pytest.raises(yaml.YAMLError) as python_error:
        yaml.safe_load(broken)
    with pytest.raises(yaml.YAMLError) as error:
        bundled.load_data_yaml(broken)
    assert str(error.value) == str(python_error.value)
