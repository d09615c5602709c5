"""The `archreview validate`, `review` and `schema` commands.

`review` calls the public `assistant.review()` once per file and goes on past a bad one. Every
option defaults from `Settings` (the environment and `.env`), so `ARCHREVIEW_LANG=de` works.
Heavy modules load inside the commands, so `archreview --help` and `validate` start fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from assistant.cli.console import err, out
from assistant.cli.gate import FAIL_ON_HELP, FailOn, gate_hits, report_gate

if TYPE_CHECKING:
    from assistant.llm.providers.base import Provider
    from assistant.settings import Settings

FORMATS = ("md", "json", "html", "sarif")  # the report writer's, kept import-free


def _parse_formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(f"expected a comma-separated list of {', '.join(FORMATS)}, "
                                 f"got {value!r}")
    return formats


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
            err.print(f"[red]✗[/red] {escape(str(path))}: {len(error.problems)} problem(s)",
                      highlight=False)
            for problem in error.problems:
                err.print(f"  - {problem}", highlight=False, markup=False)
        except Exception as error:  # noqa: BLE001 - one line per file, never a traceback
            failed += 1
            err.print(f"✗ {path}: internal error: {type(error).__name__}: {error}",
                      highlight=False, markup=False)
        else:
            out.print(f"[green]✓[/green] {escape(str(path))}: valid", highlight=False)
    if failed:
        raise typer.Exit(code=1)


def _usable_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that is a file or cannot be written, in one line (exit 2)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        writable = os.access(out_dir, os.W_OK | os.X_OK)
    except FileExistsError:
        reason = "is a file, not a folder"
    except OSError as error:
        reason = f"cannot be created: {error.strerror or error}"
    else:
        if writable:
            return
        reason = "is not writable"
    err.print(f"✗ --out {out_dir}: {reason}", highlight=False, markup=False)
    raise typer.Exit(code=2)


def _settings(provider: str | None, model: str | None, base_url: str | None,
              lang: str | None, **limits: object) -> Settings:
    """Resolve run settings: options, then the environment and `.env`, then the defaults.

    With no provider chosen anywhere, a base URL means an OpenAI-compatible server, and a
    configured API key means that provider (said aloud, so nobody pays for an LLM unknowingly).
    """
    from assistant.settings import PROVIDERS, Settings, configured_provider, load_dotenv_once

    if provider is not None and provider not in PROVIDERS:
        raise typer.BadParameter(f"expected one of {', '.join(PROVIDERS)}, got {provider!r}",
                                 param_hint="--provider")
    if lang is not None and lang not in ("en", "de"):
        raise typer.BadParameter(f"expected 'en' or 'de', got {lang!r}", param_hint="--lang")
    load_dotenv_once()
    chosen = provider or os.environ.get("ARCHREVIEW_PROVIDER") or None
    try:
        settings = Settings.from_env(provider=chosen, model=model, base_url=base_url,
                                     language=lang, **limits)
        if chosen is None and settings.base_url:
            chosen = "openai-compatible"
        elif chosen is None and (chosen := configured_provider()) is not None:
            out.print(f"provider: {chosen} (an API key for it is configured; "
                      "--provider offline to run without an LLM)")
        if chosen is None:
            return settings
        return Settings.from_env(provider=chosen, model=model, base_url=base_url, language=lang,
                                 **limits)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _build_provider(settings: Settings) -> Provider | None:
    """Build the LLM provider for the settings (None when offline); a bad setup is a usage error."""
    from assistant.llm.providers.base import ProviderError
    from assistant.llm.providers.registry import build_provider

    try:
        return build_provider(settings)
    except ProviderError as error:
        raise typer.BadParameter(str(error), param_hint="--provider") from None


def review(
    files: Annotated[list[Path], typer.Argument(help="Intake files (YAML or JSON).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")] = Path("out"),
    formats: Annotated[str, typer.Option(
        "--format", help="Comma-separated: md,json,html,sarif.")] = "md,json",
    lang: Annotated[str | None, typer.Option(
        help="Report language: en or de (default: ARCHREVIEW_LANG, else en).")] = None,
    provider: Annotated[str | None, typer.Option(
        help="offline, anthropic, openai or openai-compatible (default: ARCHREVIEW_PROVIDER, "
             "else offline unless a key is configured).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Checkpoint each step in OUT/<stem>/checkpoints.sqlite; a rerun continues at the "
             "step that failed instead of paying for finished LLM steps again.")] = False,
    step_timeout: Annotated[float | None, typer.Option(
        help="Seconds one LLM step may take, repairs included; then it falls back, labelled "
             "timed out (default: ARCHREVIEW_STEP_TIMEOUT_S, else 90).")] = None,
    review_timeout: Annotated[float | None, typer.Option(
        help="Seconds the whole review may wait on the model (default: "
             "ARCHREVIEW_REVIEW_TIMEOUT_S, else 900).")] = None,
    concurrency: Annotated[int | None, typer.Option(
        help="Parallel requests to the server (default: ARCHREVIEW_CONCURRENCY, else 1 for a "
             "local base URL, unlimited otherwise).")] = None,
    context_tokens: Annotated[int | None, typer.Option(
        help="The server's context length in tokens (default: ARCHREVIEW_CONTEXT_TOKENS, else "
             "what the server reports, else 8192 for OpenAI-compatible servers).")] = None,
    allow_draft: Annotated[bool, typer.Option(
        help="Review an import draft with open questions, using each question's placeholder "
             "(every one listed in the assumptions ledger; default: ARCHREVIEW_ALLOW_DRAFT).")
    ] = False,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", help=FAIL_ON_HELP)] = None,
) -> None:
    """Review architecture files; each report lands in OUT/<file stem>/ (unique per file).

    Exit codes: 0 every file reviewed; 1 a file was invalid, a provider failed or a step hit
    an internal error; 2 a usage error; 3 an LLM was asked but every section of a file fell
    back to the offline analyzer (the report is written, labelled offline); 130 Ctrl-C (no
    report of the interrupted file is written). With `--fail-on`, 1 also when a finding
    reaches that severity.
    """
    import assistant
    from assistant.cli.progress import ReviewProgress, all_fell_back, section_lines
    from assistant.intake.loading import IntakeError
    from assistant.llm.providers.base import ProviderError
    from assistant.report.writer import report_folders
    from assistant.workflow.run import RUN_LOG_NAME, default_retrieval, internal_error_steps

    chosen = tuple(_parse_formats(formats))
    settings = _settings(provider, model, base_url, lang, step_timeout_s=step_timeout,
                         review_timeout_s=review_timeout, concurrency=concurrency,
                         context_tokens=context_tokens, allow_draft=allow_draft or None)
    llm = _build_provider(settings)
    if llm is None:
        out.print("mode: offline (computed capacity model, rules and knowledge base; no LLM)")
    else:
        out.print(f"mode: llm ({settings.provider}, model {llm.model}) on top of the computed "
                  "facts")
    _usable_out_dir(out_dir)
    retrieval = default_retrieval()
    folders = report_folders(out_dir, files)
    failures: list[tuple[Path, str]] = []
    crashed = unanswered = 0
    gate: dict[str, int] = {}
    for path in files:
        folder = folders[path]
        try:
            with ReviewProgress(err, str(path)) as progress:
                result = assistant.review(path, settings, out_dir=folder,
                                          formats=chosen, provider=llm, retrieval=retrieval,
                                          resume=resume, progress=progress)
        except KeyboardInterrupt:
            err.print(f"✗ {path}: interrupted (Ctrl-C); requests in flight were cancelled and "
                      "no report was written for it", highlight=False, markup=False)
            raise typer.Exit(code=130) from None
        except IntakeError as error:
            failures.append((path, f"{len(error.problems)} problem(s)"))
            for problem in error.problems:
                err.print(f"  - {problem}", highlight=False, markup=False)
            continue
        except ProviderError as error:
            failures.append((path, f"provider error: {error}"))
            continue
        except OSError as error:  # the report folder or a file in it cannot be written
            where = error.filename or folder
            failures.append((path, f"cannot write {where}: {error.strerror or error}"))
            continue
        except Exception as error:  # noqa: BLE001 - go on with the next file, never a traceback
            if settings.internal_errors == "raise":  # tests: a programming error must fail
                raise
            failures.append((path, f"internal error: {type(error).__name__}: {error}"))
            continue
        for fmt in chosen:
            out.print(f"[green]✓[/green] {escape(str(path))} → "
                      f"{escape(str(folder / ('report.' + fmt)))}", highlight=False)
        if llm is not None:
            answered = result.provenance.llm_sections_answered
            out.print(f"{path}: the model answered {answered} of "
                      f"{result.provenance.llm_sections_asked} sections "
                      f"({progress.requests} request(s)):", highlight=False, markup=False)
            for line in section_lines(result):
                out.print(line, highlight=False, markup=False)
        unanswered += all_fell_back(result)
        gate[str(path)] = len(gate_hits(result.findings, fail_on))
        for step in internal_error_steps(result):  # a crash, not a provider hiccup: fail
            crashed += 1
            err.print(f"✗ {path}: internal error in step {step}; the report shows the offline "
                      f"section, the traceback is in {folder / RUN_LOG_NAME}",
                      highlight=False, markup=False)
    if failures:
        err.print(f"[red]{len(failures)} of {len(files)} file(s) could not be reviewed:[/red]")
        for path, reason in failures:
            err.print(f"  - {path}: {reason}", highlight=False, markup=False)
        raise typer.Exit(code=1)
    if crashed or report_gate(gate, fail_on):
        raise typer.Exit(code=1)
    if unanswered:
        err.print(f"{unanswered} of {len(files)} file(s): the model answered no section; the "
                  "reports show the offline analysis (exit code 3)", highlight=False,
                  markup=False)
        raise typer.Exit(code=3)


def schema(
    path: Annotated[Path, typer.Option("--out", help="Where to write the JSON Schema.")] = Path(
        "schema/report.schema.json"),
) -> None:
    """Write the JSON Schema of the report (generated from the Pydantic models)."""
    from assistant.report import write_schema

    path.parent.mkdir(parents=True, exist_ok=True)
    write_schema(path)
    out.print(f"wrote {path}")
