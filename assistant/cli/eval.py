"""`archreview eval`: the eval over `evals/cases/`, offline, with the recorded LLM path replayed.

The eval lives in the checkout's `evals/` folder (its cases, cassettes and query sets are
content, not part of the installed package), so this command runs from a source checkout and
says so plainly anywhere else. `--record` re-records the cassettes against a real provider
with the key from the environment or `.env`; the key is never written (request headers are
filtered, and a recording the key appears in is deleted).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)
#: The checkout the installed package was loaded from (an editable install or a clone).
CHECKOUT = Path(__file__).resolve().parents[2]


def _evals(module: str) -> ModuleType:
    """Import a module of the checkout's `evals/` package, or exit 2 saying why not."""
    if not (CHECKOUT / "evals" / "runner.py").exists():
        err.print("[red]error:[/red] archreview eval runs from a source checkout: evals/ (cases, "
                  "cassettes, query sets) is not installed with the package; clone the "
                  "repository and run `make eval` there", highlight=False)
        raise typer.Exit(2)
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    return importlib.import_module(f"evals.{module}")


def eval_command(
    cases: Annotated[Path | None, typer.Option(
        help="Folder of case files (default: evals/cases).")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Skip the cassettes: offline review and retrieval only.")] = False,
    no_retrieval: Annotated[bool, typer.Option(
        "--no-retrieval", help="Skip the retrieval query sets.")] = False,
    out: Annotated[Path | None, typer.Option(
        help="Results JSON (default: evals/results.json; the Markdown table goes beside "
             "it).")] = None,
    record: Annotated[bool, typer.Option(
        "--record", help="Re-record each case's cassette against the provider set in the "
             "environment or .env (openai or openai-compatible; ARCHREVIEW_PROVIDER, "
             "ARCHREVIEW_BASE_URL, ARCHREVIEW_MODEL, the key variable); never writes the "
             "key.")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--case", help="With --record: only this case (repeatable).")] = None,
) -> None:
    """Run the eval (per-case table and overall figures; exit 1 when a threshold is missed)."""
    if record:
        raise typer.Exit(_record(only or []))
    runner = _evals("runner")
    argv = [*(["--cases", str(cases)] if cases else []), *(["--offline"] if offline else []),
            *(["--no-retrieval"] if no_retrieval else []), *(["--out", str(out)] if out else [])]
    raise typer.Exit(runner.main(argv))


def _record(only: list[str]) -> int:
    """Re-record the cassettes against the configured real provider; 0 when all recorded."""
    from assistant.settings import Settings, api_key

    llm_path, runner = _evals("llm_path"), _evals("runner")
    settings = Settings.from_env()
    if settings.provider not in ("openai", "openai-compatible"):
        err.print("[red]error:[/red] --record needs ARCHREVIEW_PROVIDER=openai or "
                  f"openai-compatible (got {settings.provider}); the replay speaks the OpenAI "
                  "wire format", highlight=False)
        return 2
    key = api_key(settings.provider) or "not-needed"
    if settings.provider == "openai" and key == "not-needed":
        err.print("[red]error:[/red] --record with openai needs OPENAI_API_KEY in the "
                  "environment or .env", highlight=False)
        return 2
    recorded = {**llm_path.RECORD_SETTINGS, **{k: getattr(settings, k) for k in
                ("provider", "model", "base_url")}}
    chosen = [c for c in runner.load_cases() if not only or c.name in only]
    failed = 0
    for case in chosen:
        try:
            label = llm_path.record_case(case.name, case.inputs.source, Settings(**recorded),
                                         server=_without_credentials(settings.base_url)
                                         or settings.provider,
                                         api_key=key)
        except Exception as error:  # noqa: BLE001 - report the case and go on
            failed += 1
            err.print(f"{case.name}: not recorded: {type(error).__name__}: {error}",
                      highlight=False)
            continue
        err.print(f"{case.name}: {label['interactions']} interactions recorded", highlight=False)
    return 1 if failed else 0


def _without_credentials(url: str) -> str:
    """A base URL as a label may show it: without a user name or password in it."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)) if parts.netloc else url
