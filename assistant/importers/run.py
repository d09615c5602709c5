"""`import_paths`: files and folders in, one draft intake out.

Each file goes to the first reader that claims it; folders are walked in sorted order (hidden
folders and `.terraform` skipped). A file named explicitly that no reader understands is an
error; one found in a folder is listed in the draft as not read. Files are size-bounded like
intakes (ARCHREVIEW_MAX_INTAKE_BYTES).
"""

from __future__ import annotations

from pathlib import Path

from assistant.importers.compose import ComposeReader
from assistant.importers.draft import Draft, build_draft
from assistant.importers.kubernetes import KubernetesReader
from assistant.importers.merge import merge
from assistant.importers.model import ImportProblem, Origin, Reader, Skipped, SourceRead
from assistant.importers.terraform_hcl import TerraformHclReader
from assistant.importers.terraform_json import TerraformJsonReader
from assistant.intake.parsing import read_text
from assistant.intake.problems import IntakeError

READERS: tuple[Reader, ...] = (ComposeReader(), KubernetesReader(), TerraformHclReader(),
                               TerraformJsonReader())
SUFFIXES = (".yaml", ".yml", ".tf", ".json")
MAX_FILES = 2000


def import_paths(paths: list[Path], name: str | None = None,
                 max_bytes: int = 2_000_000) -> Draft:
    """Read every file under `paths` and return the merged draft intake.

    Raises:
        ImportProblem: a file cannot be read or understood (file, line, what was expected).
    """
    reads: list[SourceRead] = []
    unread: list[Skipped] = []
    files = _files(paths)
    if not files:
        raise ImportProblem(", ".join(str(p) for p in paths), "no deployment files found "
                            f"(looked for {', '.join(SUFFIXES)})")
    for path, explicit in files:
        text = _text(path, max_bytes)
        reader = next((r for r in READERS if r.claims(path, text)), None)
        if reader is not None:
            reads.append(reader.read(path, text))
        elif explicit:
            raise ImportProblem(str(path), "not a docker-compose file, Kubernetes manifest, "
                                "Terraform file (.tf) or `terraform show -json` output")
        else:
            unread.append(Skipped(path.name, Origin(str(path), 1), "not a deployment file "
                                  "the importer reads"))
    if not any(r.components for r in reads):
        raise ImportProblem(", ".join(str(p) for p in paths), "no components found in the "
                            "deployment files")
    merged = merge(reads)
    merged.skipped += unread
    return build_draft(merged, name or _default_name(paths), [str(p) for p in paths])


def _files(paths: list[Path]) -> list[tuple[Path, bool]]:
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found += [(f, False) for f in sorted(path.rglob("*")) if f.is_file()
                      and f.suffix.lower() in SUFFIXES and not _hidden(f.relative_to(path))]
        elif path.exists():
            found.append((path, True))
        else:
            raise ImportProblem(str(path), "file or folder not found")
        if len(found) > MAX_FILES:
            raise ImportProblem(str(path), f"more than {MAX_FILES} files; import a smaller "
                                "folder")
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])


def _text(path: Path, max_bytes: int) -> str:
    try:
        return read_text(path, max_bytes)
    except IntakeError as error:
        raise ImportProblem(str(path), error.problems[0].message) from None


def _default_name(paths: list[Path]) -> str:
    first = paths[0].resolve()
    return (first.name if first.is_dir() else first.parent.name) or "imported system"
