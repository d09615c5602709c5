"""Write a review to disk in the requested formats, as one set that replaces the previous set.

Why a set: a rerun interrupted half-way (Ctrl-C) must leave the previous complete reports or the
new ones, never report.md from the new run beside report.html from the old. Everything is
rendered into a staging folder first (the slow part); then the files are moved into place with
`os.replace` and stale files of the previous set removed, with Ctrl-C held back for those few
microseconds.

Folder names come from `report_folders`: one per input, unique even when two inputs share a
file stem, and always a plain name inside the output folder (a file named `...yaml` or
`../x.yaml` cannot write outside it).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from assistant.assessment.model import Review
from assistant.report.json_report import render_json
from assistant.report.markdown import CHART_FILES, render_markdown

FORMATS = ("md", "json", "html", "sarif")
REPORT_FILES = frozenset({f"report.{fmt}" for fmt in FORMATS} | set(CHART_FILES.values()))
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_NAME = 80


def _html(review: Review, charts: Mapping[str, str] | None = None) -> str:
    from assistant.report.html import render_html  # charts and diagram: only when asked for

    return render_html(review, charts)


def _sarif(review: Review) -> str:
    from assistant.report.sarif import render_sarif  # the rule registry: only when asked for

    return render_sarif(review)


RENDERERS: dict[str, Callable[[Review], str]] = {
    "md": render_markdown, "json": render_json, "html": _html, "sarif": _sarif,
}


def folder_name(path: Path) -> str:
    """A safe folder name for an input: its stem with anything but letters, digits, `._-` replaced.

    Leading dots are dropped so the name is never `.`, `..` or hidden; an empty result is
    `intake`.
    """
    name = _UNSAFE.sub("_", path.stem).lstrip(".")[:_MAX_NAME]
    return name or "intake"


def report_folders(out_dir: Path, inputs: Sequence[Path]) -> dict[Path, Path]:
    """Map each input to its own report folder under `out_dir`, unique even when stems collide.

    The first input with a name keeps it; later ones get `-2`, `-3`, ... in the order given,
    compared case-insensitively (two folders differing only in case collide on macOS/Windows).
    """
    folders: dict[Path, Path] = {}
    taken: set[str] = set()
    for path in inputs:
        if path in folders:
            continue
        base = folder_name(path)
        name, counter = base, 1
        while name.lower() in taken:
            counter += 1
            name = f"{base}-{counter}"
        taken.add(name.lower())
        folders[path] = out_dir / name
    return folders


def write_reports(review: Review, out_dir: Path, formats: tuple[str, ...]) -> list[str]:
    """Write `report.<fmt>` for each format into `out_dir` as one set; return the paths written.

    Raises:
        OSError: the folder cannot be created or written (the previous set is left intact).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        names = _render_into(review, staging, formats)
        with _ctrl_c_held():
            for name in names:
                os.replace(staging / name, out_dir / name)
            for stale in REPORT_FILES - set(names):
                (out_dir / stale).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [str(out_dir / name) for name in names]


def _render_into(review: Review, folder: Path, formats: tuple[str, ...]) -> list[str]:
    """Render every requested file into `folder`; return the file names (charts first)."""
    names: list[str] = []
    charts: dict[str, str] | None = None
    if "md" in formats or "html" in formats:
        from assistant.report.charts import svg_charts, write_markdown_charts

        charts = svg_charts(review)  # drawn once: the PNGs and the HTML page share them
        if "md" in formats:
            names += list(write_markdown_charts(review, folder, charts).values())
    for fmt in formats:
        name = f"report.{fmt}"
        renderer = RENDERERS[fmt]
        text = _html(review, charts) if renderer is _html else renderer(review)
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    return names


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold back SIGINT while the set is swapped; deliver it afterwards (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
