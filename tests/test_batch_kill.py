"""Kill a batch halfway (SIGKILL, no clean-up), rerun it: the rest completes, nothing half-written.

A real process is started and killed, with its whole process group, right after its first
report set lands; then every report folder must be either complete (its manifest lists files
that are all there) or absent, and the rerun must skip the finished ones and review the rest.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.batch.manifest import MANIFEST_NAME, STAGING_PREFIX
from tests.conftest import EXAMPLES, ROOT
from tests.test_batch import GOOD, assert_complete

START_TIMEOUT_S = 300.0


def _batch(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "assistant", "batch", str(inputs), "--out", str(out),
            "--jobs", "1", "--format", "md,json"]


def _first_report(out: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if any((folder / MANIFEST_NAME).exists() for folder in out.glob("*")
               if not folder.name.startswith(".")):
            return
        if process.poll() is not None:
            pytest.fail(f"the batch ended before it could be killed (exit {process.returncode})")
        time.sleep(0.05)
    pytest.fail("no report set appeared in time")


@pytest.mark.slow
def test_killed_batch_resumes_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for name in GOOD:
        shutil.copy(EXAMPLES / f"{name}.yaml", inputs)
    process = subprocess.Popen(_batch(inputs, out), cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _first_report(out, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    published = [f for f in out.iterdir() if f.is_dir() and not f.name.startswith(".")]
    assert 1 <= len(published) < len(GOOD), "the kill came too late to test anything"
    for folder in published:  # what the killed run left is complete, or hidden staging
        assert_complete(folder)

    rerun = subprocess.run(_batch(inputs, out), cwd=ROOT, capture_output=True, text=True,
                           timeout=900, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {len(published)} unchanged file(s)" in rerun.stdout
    assert f"reviewing {len(GOOD) - len(published)} file(s)" in rerun.stdout
    for name in GOOD:
        assert_complete(out / name)
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
