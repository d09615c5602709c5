"""Where a side of a diff comes from: an intake file, or a git revision `REV:path`.

`HEAD~1:arch.yaml` is read with `git show` (no shell; the revision may not start with '-', so it
cannot be taken as an option), bounded by the intake size limit, and written to a temporary file
with the same name so the review and its error messages name it. A path that exists as a file
always wins over the revision reading, so `C:/x.yaml`-like or odd file names still work.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_S = 30


class SourceError(Exception):
    """A side of the diff cannot be read; the message names it and says what was expected."""


@dataclass(frozen=True)
class Source:
    """One side of a diff: the label the report shows and the file to review."""

    label: str
    path: Path


def is_revision(spec: str) -> bool:
    """Whether `spec` reads as `REV:path` rather than as a file name."""
    if Path(spec).exists() or ":" not in spec:
        return False
    revision, _, path = spec.partition(":")
    return bool(revision) and bool(path) and len(revision) > 1


def _git_show(spec: str, cwd: Path, max_bytes: int) -> bytes:
    revision, _, path = spec.partition(":")
    if revision.startswith("-"):
        raise SourceError(f"{spec}: a revision may not start with '-'")
    git = shutil.which("git")
    if git is None:
        raise SourceError(f"{spec}: reading a git revision needs git, which is not installed")
    try:
        # "./" makes git read the path relative to cwd, as a shell user means it
        relative = path if path.startswith(("./", "../", "/")) else f"./{path}"
        done = subprocess.run([git, "show", f"{revision}:{relative}"], cwd=cwd,
                              capture_output=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SourceError(f"{spec}: git show took longer than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"{spec}: git cannot show it ({reason[0] if reason else 'no reason'}); "
                          "expected REV:path, e.g. HEAD~1:arch.yaml, inside a git checkout")
    if len(done.stdout) > max_bytes:
        raise SourceError(f"{spec}: {len(done.stdout):,} bytes; the limit is {max_bytes:,} bytes "
                          "(setting ARCHREVIEW_MAX_INTAKE_BYTES)")
    return done.stdout


@contextmanager
def open_source(spec: str, *, cwd: Path | None = None,
                max_bytes: int = 2_000_000) -> Iterator[Source]:
    """Yield the file to review for `spec` (a path, or `REV:path` from git), cleaned up after."""
    if not is_revision(spec):
        yield Source(label=spec, path=Path(spec))
        return
    content = _git_show(spec, cwd or Path.cwd(), max_bytes)
    with tempfile.TemporaryDirectory(prefix="archreview-diff-") as folder:
        target = Path(folder) / Path(spec.partition(":")[2]).name
        target.write_bytes(content)
        yield Source(label=spec, path=target)
