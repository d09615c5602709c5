"""Find the data folders kept at the checkout's top level, wherever archreview is installed.

The pattern cards (`knowledge/`) and the prompt templates (`prompts/`) live at the repository's
top level so that they are edited, reviewed and diffed as content rather than as code. A wheel
can only carry files inside its packages, so the build (`setup.py`) copies both folders into
`assistant/_bundled/<name>/`. Code that needs one of them must therefore look in two places:
the bundled copy of an installed wheel, and the top-level folder of a source checkout (which an
editable install or a plain `python -m` run uses, and which has no bundled copy). An environment
variable may point elsewhere, for one's own cards or templates. That order is decided here,
once, for both folders.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

PACKAGE_ROOT = Path(__file__).resolve().parent
BUNDLED_ROOT = PACKAGE_ROOT / "_bundled"
CHECKOUT_ROOT = PACKAGE_ROOT.parent


class DataFolderMissing(FileNotFoundError):
    """Neither an override, nor a bundled copy, nor a checkout folder of that name exists."""


def data_folder(name: str, override_env: str | None = None) -> Path:
    """The folder `name` (e.g. "knowledge"), resolved in the order a user would expect.

    1. `$override_env`, if set and not empty: the user's explicit choice, used as given (a
       missing or empty folder is reported by whoever reads it, naming that path);
    2. `assistant/_bundled/<name>/`, the copy an installed wheel carries;
    3. `<checkout>/<name>/`, the folder itself, for editable installs and source runs.

    The bundled copy wins over the checkout so that an installed archreview uses exactly the
    content it was built with, even if it happens to sit next to some other `knowledge/` folder.

    Raises:
        DataFolderMissing: if no override is set and neither folder exists.
    """
    override = os.environ.get(override_env, "") if override_env else ""
    if override:
        return Path(override)
    bundled, checkout = BUNDLED_ROOT / name, CHECKOUT_ROOT / name
    for candidate in (bundled, checkout):
        if candidate.is_dir():
            return candidate
    hint = f"; set {override_env} to a {name} folder" if override_env else ""
    raise DataFolderMissing(
        f"archreview's {name}/ folder is missing: looked for the copy bundled in the installed "
        f"package ({bundled}) and for the source checkout's folder ({checkout}). A wheel built "
        f"without setup.py's bundling step lacks it; reinstall archreview{hint}."
    )


def load_data_yaml(text: str) -> Any:
    """Parse one of archreview's own YAML data files (catalogue, messages, card front matter).

    Why not `yaml.safe_load`: PyYAML's pure-Python parser took ~0.2 s of a cold review for the
    catalogue, the messages and the pattern cards; libyaml's C parser (`CSafeLoader`: the same
    safe constructor, only the parsing in C) reads them in a tenth of that, to the same data
    (`tests/test_bundled.py` compares both loaders on every file shipped). Text the C parser
    refuses is parsed again in Python, so a broken file's message reads as it always did; a
    PyYAML built without libyaml uses the Python parser throughout. User intakes do not come
    here: they have their own bounded loader (`assistant.intake.parsing`).
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # CSafeLoader: the safe constructor
        except yaml.YAMLError:
            pass  # the Python parser below raises the error with its familiar wording
    return yaml.safe_load(text)
