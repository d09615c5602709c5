"""archreview: an architecture review assistant for scaling.

The public API is `review()`: give it an intake file or an `Intake` (and optionally `Settings`)
and it returns the `Review` every report renders. The CLI, the Streamlit app, batch reviews and
evals all call it; nothing else needs to reach into the layers below. Names other than `review`
load on first use, so `import assistant` stays cheap for the CLI.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.catalogue.validation import catalogue_problems
from assistant.intake.loading import register_check
from assistant.version import __version__

# intake may not import the catalogue, so the root wires the catalogue's size and currency
# checks into every intake validation (CLI `validate`, `review()`, the workflow).
register_check(catalogue_problems)

if TYPE_CHECKING:
    from assistant.analysis.baseline_costs import CostReport
    from assistant.assessment.model import Review
    from assistant.capacity.model import CapacityReport
    from assistant.i18n.messages import Messages
    from assistant.intake.loading import IntakeError, load_intake, validate_intake
    from assistant.intake.schema import Intake
    from assistant.llm.providers.base import Provider
    from assistant.settings import Settings

__all__ = ["Intake", "IntakeError", "Messages", "Review", "Settings", "__version__",
           "catalogue_sizes", "load_intake", "review", "validate_intake", "what_if"]

Retrieval = Callable[[str, str | None], list[str]]

_LAZY = {
    "Review": "assistant.assessment.model",
    "Intake": "assistant.intake.schema",
    "IntakeError": "assistant.intake.loading",
    "load_intake": "assistant.intake.loading",
    "validate_intake": "assistant.intake.loading",
    "Messages": "assistant.i18n.messages",
    "Settings": "assistant.settings",
}


def review(source: str | Path | Intake, settings: Settings | None = None, *,
           out_dir: Path | None = None, formats: tuple[str, ...] = ("md", "json"),
           provider: Provider | None = None, retrieval: Retrieval | None = None,
           use_knowledge_base: bool = True, resume: bool = False,
           clock: Callable[[], datetime] | None = None, source_name: str | None = None,
           progress: Callable[[dict[str, object]], None] | None = None,
           cancel: threading.Event | None = None, api_key: str | None = None) -> Review:
    """Review one intake (a YAML/JSON file or a validated `Intake`) and return the `Review`.

    Args:
        source: the intake file, or an `Intake` built in code (the Streamlit form, tests).
        settings: run settings; None reads them from the environment and `.env`.
        out_dir: write `report.<fmt>` (and the LLM run log) here; None writes nothing.
        formats: report formats to write into `out_dir` (md, json, html).
        provider: an LLM provider to use instead of building one from `settings`.
        retrieval: a search function (query, kind) -> card ids, instead of the knowledge base.
        use_knowledge_base: with no `retrieval`, search the knowledge base (False: cite only
            the cards the rules name, and load no index).
        resume: checkpoint each step in `out_dir`; a rerun continues at the failed step.
        clock: the time stamped into the report (tests inject a fixed one).
        source_name: the name the report gives the input (default: the file's path).
        progress: called with every run-log entry as it is written (a live status line).
        cancel: set it to stop the review (Ctrl-C does so in the main thread); nothing is
            written then.
        api_key: an Anthropic or OpenAI key given in person (the app's password field),
            instead of the environment's; it goes into the SDK client only, never into the
            environment, the settings, a log or the report.

    Raises:
        IntakeError: the intake is invalid; every problem names the file, line and field.
        ProviderError: the LLM provider could not be built (missing key, bad base URL).
    """
    from assistant.llm.providers.registry import build_provider
    from assistant.settings import Settings
    from assistant.workflow.run import default_retrieval, run_workflow

    settings = settings if settings is not None else Settings.from_env()
    if provider is None:
        provider = build_provider(settings, api_key)
    if retrieval is None and use_knowledge_base:
        retrieval = default_retrieval()
    return run_workflow(source if not isinstance(source, str) else Path(source), settings,
                        out_dir=out_dir, formats=formats, provider=provider, clock=clock,
                        retrieval=retrieval, resume=resume, source_name=source_name,
                        progress=progress, cancel=cancel)


def catalogue_sizes() -> list[str]:
    """Every instance size the price catalogue knows, family by family, smallest first.

    The Streamlit form offers these as the `size` select box; an intake may still name a size
    of its own through `catalogue_overrides`.
    """
    from assistant.catalogue.model import load_defaults

    names: list[str] = []
    for family in load_defaults().sizes.values():
        names += [s.name for s in [*family.entries, *family.named] if s.name not in names]
    return names


def what_if(intake: Intake) -> tuple[CapacityReport, CostReport]:
    """The capacity model and the monthly costs of a validated intake, and nothing else.

    For the app's live what-if: a slider move must redraw within 300 ms, and a whole offline
    `review()` runs the capacity model some 19 times (configurations, the roadmap rerun per
    phase) for figures the what-if does not show. These are the same functions `review()`
    calls, so the first break, its month and the costs equal the review's for the same intake.
    Give it an intake `validate_intake` accepted (the cross-field checks are not repeated).
    """
    from assistant.analysis.baseline_costs import monthly_costs
    from assistant.capacity.model import analyse
    from assistant.catalogue.model import defaults_for

    defaults = defaults_for(intake)
    capacity = analyse(intake, defaults)
    return capacity, monthly_costs(intake, capacity, defaults)


def __getattr__(name: str) -> Any:
    """Load the public names other than `review` on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
