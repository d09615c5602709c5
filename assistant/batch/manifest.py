"""Resume: each report set carries a manifest of what produced it, and lands in one rename.

Why a manifest per report folder: a rerun may skip a file only when its bytes, the settings
that shape the report and the archreview version are what produced the reports there, and
the set is complete. The manifest (`.archreview-batch.json`) records those three hashes, the
files of the set and the summary row, so a skipped file still appears in the summary.

Why one rename: the review writes into a hidden staging folder beside the final one, the
manifest last; then the staging folder replaces the final one. A run killed at any moment
leaves either the previous complete set, the new complete set, or no folder and a staging
leftover that the next run deletes; never a half-written set that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from assistant.batch.summary import Entry
from assistant.settings import Settings
from assistant.version import __version__

MANIFEST_NAME = ".archreview-batch.json"
STAGING_PREFIX = ".batch-staging-"
_RETIRED_PREFIX = ".batch-retired-"


def input_sha256(path: Path) -> str:
    """The hash of the file's bytes (what the team wrote, comments included)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_sha256(settings: Settings, formats: tuple[str, ...]) -> str:
    """The hash of everything besides the input that shapes the report set.

    Every setting is included (a changed timeout may change an LLM review), with the formats
    and the archreview version.
    """
    shaped = {"settings": settings.model_dump(mode="json"), "formats": sorted(formats),
              "version": __version__}
    return hashlib.sha256(json.dumps(shaped, sort_keys=True).encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None when there is none or it is unreadable."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def finished_entry(folder: Path, input_hash: str, settings_hash: str) -> Entry | None:
    """The summary row of a complete, unchanged report set in `folder`, else None."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("input_sha256") != input_hash:
        return None
    if manifest.get("settings_sha256") != settings_hash or manifest.get(
            "version") != __version__:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(name, str) and (folder / name).is_file() for name in files):
        return None
    try:
        return Entry.model_validate(manifest.get("entry"))
    except ValueError:
        return None


def staging_folder(folder: Path) -> Path:
    """A fresh hidden folder beside `folder` to write a report set into."""
    staging = folder.parent / f"{STAGING_PREFIX}{folder.name}-{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, folder: Path, input_hash: str, settings_hash: str,
            entry: Entry) -> None:
    """Write the manifest into the staging folder, then put the folder in place of `folder`."""
    files = sorted(p.name for p in staging.iterdir() if p.is_file())
    manifest = {"input_sha256": input_hash, "settings_sha256": settings_hash,
                "version": __version__, "files": files,
                "entry": entry.model_dump(mode="json")}
    _write_synced(staging / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
    retired = folder.parent / f"{_RETIRED_PREFIX}{folder.name}-{secrets.token_hex(4)}"
    if folder.exists():
        os.rename(folder, retired)
    os.rename(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def remove_leftovers(out_dir: Path) -> int:
    """Delete staging and retired folders a killed run left behind; return how many."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for path in out_dir.iterdir():
        if path.is_dir() and path.name.startswith((STAGING_PREFIX, _RETIRED_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed
