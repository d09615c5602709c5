"""The `archreview` command line: review, validate, schema, and the knowledge-base commands.

Heavy modules (the review pipeline, the knowledge index) are imported inside the commands, so
`archreview --help` and `validate` start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from assistant.llm.providers.base import Provider
    from assistant.settings import Settings

app = typer.Typer(
    help="Architecture review for scaling: what breaks first, what to do, what it costs.",
    no_args_is_help=True, add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

FORMATS = ("md", "json", "html")


def _mount_knowledge_commands() -> None:
    try:
        from assistant.cli.knowledge import kb_app
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
    from assistant.intake.loading import IntakeError, load_intake

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


def _settings(provider: str | None, model: str | None, base_url: str | None,
              lang: str) -> Settings:
    """Resolve run settings; with a key configured and no --provider, use and name it."""
    from assistant.settings import PROVIDERS, Settings, configured_provider

    if provider is not None and provider not in PROVIDERS:
        raise typer.BadParameter(f"expected one of {', '.join(PROVIDERS)}, got {provider!r}",
                                 param_hint="--provider")
    if lang not in ("en", "de"):
        raise typer.BadParameter(f"expected 'en' or 'de', got {lang!r}", param_hint="--lang")
    chosen = provider
    if chosen is None and not base_url:
        chosen = configured_provider()
        if chosen is not None:
            out.print(f"provider: {chosen} (an API key for it is configured; "
                      "--provider offline to run without an LLM)")
    if chosen is None and base_url:
        chosen = "openai-compatible"
    try:
        return Settings.from_env(provider=chosen, model=model, base_url=base_url, language=lang)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.command()
def review(
    files: Annotated[list[Path], typer.Argument(help="Intake files (YAML or JSON).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("out"),
    formats: Annotated[str, typer.Option(
        "--format", help="Comma-separated: md,json,html.")] = "md,json",
    lang: Annotated[str, typer.Option(help="Report language: en or de.")] = "en",
    provider: Annotated[str | None, typer.Option(
        help="offline, anthropic, openai or openai-compatible (default: offline unless a key "
             "is configured).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Checkpoint each step in OUT/<stem>/checkpoints.sqlite; a rerun continues at the "
             "step that failed instead of paying for finished LLM steps again.")] = False,
) -> None:
    """Review architecture files; each report lands in OUT/<file stem>/."""
    from assistant.intake.loading import IntakeError
    from assistant.llm.providers.base import ProviderError
    from assistant.workflow.run import (
        RUN_LOG_NAME,
        default_retrieval,
        internal_error_steps,
        review_file,
    )

    chosen = _parse_formats(formats)
    settings = _settings(provider, model, base_url, lang)
    llm = _build_provider(settings)
    if llm is None:
        out.print("mode: offline (computed capacity model, rules and knowledge base; no LLM)")
    else:
        out.print(f"mode: llm ({settings.provider}, model {llm.model}) on top of the computed "
                  "facts")
    retrieval = default_retrieval()
    failures: list[tuple[Path, str]] = []
    crashed = 0
    for path in files:
        try:
            result = review_file(path, settings, out_dir=out_dir / path.stem,
                                 formats=tuple(chosen), provider=llm, retrieval=retrieval,
                                 resume=resume)
        except IntakeError as error:
            failures.append((path, f"{len(error.problems)} problem(s)"))
            for problem in error.problems:
                err.print(f"  - {problem}", highlight=False, markup=False)
            continue
        except ProviderError as error:
            failures.append((path, f"provider error: {error}"))
            continue
        for fmt in chosen:
            out.print(f"[green]✓[/green] {path} → {out_dir / path.stem / ('report.' + fmt)}",
                      highlight=False)
        for step, section in sorted(result.sections.items()):
            if section.source == "fallback":
                err.print(f"  ! {path}: section {step} fell back to the offline analyzer",
                          highlight=False, markup=False)
        for step in internal_error_steps(result):  # a crash, not a provider hiccup: fail
            crashed += 1
            err.print(f"✗ {path}: internal error in step {step}; the report shows the offline "
                      f"section, the traceback is in {out_dir / path.stem / RUN_LOG_NAME}",
                      highlight=False, markup=False)
    if failures:
        err.print(f"[red]{len(failures)} of {len(files)} file(s) could not be reviewed:[/red]")
        for path, reason in failures:
            err.print(f"  - {path}: {reason}", highlight=False, markup=False)
        raise typer.Exit(code=1)
    if crashed:
        raise typer.Exit(code=1)


def _build_provider(settings: Settings) -> Provider | None:
    """Build the LLM provider for the settings (None when offline)."""
    from assistant.llm.providers.base import ProviderError

    if settings.provider == "offline":
        return None
    from assistant.llm.providers.registry import build_provider

    try:
        return build_provider(settings)
    except ProviderError as error:
        raise typer.BadParameter(str(error), param_hint="--provider") from None


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
