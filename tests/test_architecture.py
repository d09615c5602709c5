"""The package's layout holds: layers point one way, no import cycles, each layer says its rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
LAYERS = ("intake", "catalogue", "knowledge", "capacity", "analysis", "planning", "assessment",
          "llm", "report", "workflow", "batch", "comparison", "workshop", "cli", "i18n",
          "importers")


def test_layers_contract_is_kept() -> None:
    """The import-linter contract in pyproject.toml: no layer imports one above it."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True,
                            cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_no_import_cycles_between_modules() -> None:
    """Module-level imports (including those inside functions) form no cycle."""
    graph = grimp.build_graph("assistant")
    sorter = TopologicalSorter({m: graph.find_modules_directly_imported_by(m)
                                for m in graph.modules})
    try:
        sorter.prepare()
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


#: The surfaces above the workflow whose import rule names the public `assistant.review()`.
API_CALLERS = ("cli", "batch", "comparison", "workshop")


def test_only_the_cli_imports_the_public_api() -> None:
    """Layers below the surfaces never import `assistant` itself: it is the facade above them."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE or any(path.is_relative_to(PACKAGE / caller)
                                         for caller in API_CALLERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "assistant":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.Import) and any(a.name == "assistant" for a in node.names):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_says_what_it_holds_and_what_it_may_import(layer: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
    assert docstring is not None and len(docstring.splitlines()) >= 2
    assert "import" in docstring.lower()


def test_every_package_folder_is_a_known_layer() -> None:
    """A new sub-package must be added to the layers contract (and to this list)."""
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == set(LAYERS)


def test_every_top_level_module_is_in_the_foundation_layer() -> None:
    """A module beside the packages is foundation (or the facade): the contract must name it."""
    contract = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    foundation = next(line for line in contract.splitlines() if '"settings |' in line)
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert modules <= {name.strip(' ",') for name in foundation.split("|")}
