"""The `archreview` command line: review, validate, schema, and the knowledge-base commands.

Heavy modules (the review pipeline, the knowledge index) are imported inside the commands, so
`archreview --help` and `validate` start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="Architecture review for scaling: what breaks first, what to do, what it costs.",
    no_args_is_help=True, add_completion=False,
)
out = Console()
err = Console(stderr=True)

FORMATS = ("md", "json")


def _mount_knowledge_commands() -> None:
    try:
        from assistant.kb_cli import kb_app
    except ImportError:  # pragma: no cover - only while the knowledge module is absent
        return
    app.add_typer(kb_app, name="kb", help="Search and inspect the pattern knowledge base.")


def _parse_formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"expected a comma-separated list of {', '.join(FORMATS)}, "
                                 f"got {value!r}")
    return formats


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Intake files (YAML or JSON).")],
) -> None:
    """Check intake files and print every problem with file, line, field and expectation."""
    from assistant.intake_loading import IntakeError, load_intake

    failed = 0
    for path in files:
        try:
            load_intake(path)
        except IntakeError as error:
            failed += 1
            err.print(f"[red]✗[/red] {path}: {len(error.problems)} problem(s)", highlight=False)
            for problem in error.problems:
                err.print(f"  - {problem}", highlight=False, markup=False)
        else:
            out.print(f"[green]✓[/green] {path}: valid", highlight=False)
    if failed:
        raise typer.Exit(code=1)


@app.command()
def review(
    files: Annotated[list[Path], typer.Argument(help="Intake files (YAML or JSON).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("out"),
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: md,json.")] = "md,json",
    lang: Annotated[str, typer.Option(help="Report language: en or de.")] = "en",
) -> None:
    """Review architecture files; each report lands in OUT/<file stem>/."""
    from assistant.intake_loading import IntakeError, load_intake
    from assistant.report import render_json, render_markdown
    from assistant.review import run_review

    if lang not in ("en", "de"):
        raise typer.BadParameter(f"expected 'en' or 'de', got {lang!r}", param_hint="--lang")
    chosen = _parse_formats(formats)
    out.print("mode: offline (computed capacity model, rules and knowledge base; no LLM)")
    failures: list[tuple[Path, str]] = []
    for path in files:
        try:
            intake = load_intake(path)
        except IntakeError as error:
            failures.append((path, f"{len(error.problems)} problem(s)"))
            for problem in error.problems:
                err.print(f"  - {problem}", highlight=False, markup=False)
            continue
        result = run_review(intake, source=str(path), lang=lang)  # type: ignore[arg-type]
        target = out_dir / path.stem
        target.mkdir(parents=True, exist_ok=True)
        renderers = {"md": ("report.md", render_markdown), "json": ("report.json", render_json)}
        for fmt in chosen:
            name, render = renderers[fmt]
            (target / name).write_text(render(result), encoding="utf-8")
            out.print(f"[green]✓[/green] {path} → {target / name}", highlight=False)
    if failures:
        err.print(f"[red]{len(failures)} of {len(files)} file(s) could not be reviewed:[/red]")
        for path, reason in failures:
            err.print(f"  - {path}: {reason}", highlight=False, markup=False)
        raise typer.Exit(code=1)


@app.command()
def schema(
    path: Annotated[Path, typer.Option("--out", help="Where to write the JSON Schema.")] = Path(
        "schema/report.schema.json"),
) -> None:
    """Write the JSON Schema of the report (generated from the Pydantic models)."""
    from assistant.report import write_schema

    path.parent.mkdir(parents=True, exist_ok=True)
    write_schema(path)
    out.print(f"wrote {path}")


_mount_knowledge_commands()


def main() -> None:
    """Run the CLI (entry point for `python -m assistant`)."""
    app(prog_name="archreview")


if __name__ == "__main__":
    main()
