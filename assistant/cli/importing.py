"""The `archreview import` command: deployment files in, a draft intake out.

The draft is written only where asked (`--out`) and never over an existing file unless
`--force`: a draft whose questions someone already answered is work not to lose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.console import err, out


def import_command(
    paths: Annotated[list[Path], typer.Argument(
        help="docker-compose files, Kubernetes manifests, Terraform (.tf) or `terraform show "
             "-json` output; files or folders, merged into one system.")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the draft intake.")
                        ] = Path("intake.yaml"),
    name: Annotated[str | None, typer.Option(
        help="The system's name (default: the first path's folder name).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
) -> None:
    """Draft an intake from deployment files; what they cannot say is asked, not guessed."""
    from assistant.importers.model import ImportProblem
    from assistant.importers.run import import_paths
    from assistant.intake.drafts import open_questions
    from assistant.settings import Settings

    if out_path.exists() and not force:
        err.print(f"✗ --out {out_path}: exists; choose another file or pass --force",
                  highlight=False, markup=False)
        raise typer.Exit(code=2)
    try:
        draft = import_paths(paths, name, Settings.from_env().max_intake_bytes)
    except ImportProblem as problem:
        err.print(f"✗ {problem}", highlight=False, markup=False)
        raise typer.Exit(code=1) from None
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(draft.text(), encoding="utf-8")
    except OSError as error:
        err.print(f"✗ --out {out_path}: cannot be written: {error.strerror or error}",
                  highlight=False, markup=False)
        raise typer.Exit(code=1) from None
    components = draft.data["components"]
    out.print(f"✓ {out_path}: draft with {len(components)} component(s), "
              f"{len(open_questions(draft.data))} open question(s), {len(draft.skipped)} "
              "item(s) read but not imported (listed at its end)", highlight=False, markup=False)
    out.print(f"next: answer the questions, then `archreview validate {out_path}`",
              highlight=False, markup=False)
