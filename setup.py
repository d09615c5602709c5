"""Bundle the top-level `knowledge/`, `prompts/` and `examples/` folders into the wheel.

All metadata lives in pyproject.toml; this file only extends `build_py`. The cards and prompt
templates stay at the repository's top level (they are content, edited and reviewed as such),
but a wheel can only carry files inside its packages, so the build copies them to
`assistant/_bundled/knowledge/` and `assistant/_bundled/prompts/`, where `assistant/bundled.py`
finds them. An editable install skips the copy and reads the checkout's folders directly, so an
edited card takes effect without a reinstall. MANIFEST.in puts the folders in the sdist, so a
wheel built from the sdist has them too. The example intakes ship because the workshop exercises
(`assistant/workshop/`) review them, found through `bundled.data_folder("examples")`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# top-level folder -> the file pattern to ship; the folder name is kept under assistant/_bundled.
BUNDLED = {"knowledge": "*.md", "prompts": "*.j2", "examples": "*.yaml"}
TARGET = Path("assistant", "_bundled")


class BuildPyWithBundledData(build_py):
    """`build_py` that also copies the top-level content folders into the built package."""

    editable_mode: bool = False  # set by setuptools' editable_wheel (PEP 660) on this command

    def _bundled_files(self) -> dict[str, str]:
        """Map each built destination path to its source file (empty in editable mode)."""
        if self.editable_mode:
            return {}
        mapping: dict[str, str] = {}
        for folder, pattern in BUNDLED.items():
            sources = sorted((HERE / folder).glob(pattern))
            if not sources:
                raise FileNotFoundError(f"{HERE / folder}: no {pattern} files to bundle; "
                                        "an archreview wheel without them cannot review")
            for source in sources:
                target = Path(self.build_lib, TARGET, folder, source.name)
                mapping[str(target)] = str(source)
        return mapping

    def run(self) -> None:
        """Build the packages as usual, then copy the bundled folders beside them.

        The old copy is removed first: build/ survives between builds, and a card deleted or
        renamed in knowledge/ must not live on in the next wheel.
        """
        super().run()
        files = self._bundled_files()
        if files:
            shutil.rmtree(Path(self.build_lib, TARGET), ignore_errors=True)
        for target, source in files.items():
            self.mkpath(str(Path(target).parent))
            self.copy_file(source, target, preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """Also list the bundled files, so install records and wheel RECORDs include them."""
        return [*super().get_outputs(include_bytecode), *self._bundled_files()]

    def get_output_mapping(self) -> dict[str, str]:
        """Also map the bundled files to their sources (used by setuptools' build protocol)."""
        return {**super().get_output_mapping(), **self._bundled_files()}


setup(cmdclass={"build_py": BuildPyWithBundledData})
