"""The `archreview workshop` commands: list the exercises, show one, check an answer.

The work is done by `assistant.workshop.service` (plain functions a UI page calls too); this
module only prints. Every fixed string comes from the message catalogue, in EN or DE.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from assistant.cli.console import err, out

if TYPE_CHECKING:
    from assistant.i18n.messages import Messages
    from assistant.workshop.check import CheckResult
    from assistant.workshop.reference import ExpectedItem, ReferenceSolution

workshop_app = typer.Typer(no_args_is_help=True, add_completion=False,
                           help="Workshop exercises from the seeds, checked and scored.")

LangOption = Annotated[str | None, typer.Option(
    help="Language: en or de (default: ARCHREVIEW_LANG, else en).")]


def _catalogue(lang: str | None) -> Messages:
    from assistant.cli.review import _settings
    from assistant.i18n.messages import Messages

    return Messages(_settings("offline", None, None, lang).language)


def _fail(error: Exception) -> typer.Exit:
    err.print(f"✗ {error}", highlight=False, markup=False)
    return typer.Exit(code=1)


@workshop_app.command("list")
def list_command(lang: LangOption = None) -> None:
    """List the exercises with their seed and intake."""
    from rich.table import Table

    from assistant.workshop.service import list_exercises

    text = _catalogue(lang)
    table = Table(title=text.t("workshop.list.title"))
    for key in ("id", "exercise", "seed", "intake"):
        table.add_column(text.t(f"workshop.list.{key}"))
    for exercise in list_exercises():
        table.add_row(exercise.id, escape(exercise.title.get(text.lang)), escape(exercise.seed),
                      escape(exercise.intake))
    out.print(table)


@workshop_app.command("show")
def show_command(exercise_id: Annotated[str, typer.Argument(help="Exercise id, e.g. ex1.")],
                 lang: LangOption = None) -> None:
    """Print an exercise's task as the seed sets it."""
    from assistant.workshop.exercises import WorkshopError
    from assistant.workshop.service import show_exercise

    text = _catalogue(lang)
    try:
        view = show_exercise(exercise_id, text.lang)
    except WorkshopError as error:
        raise _fail(error) from None
    out.print(f"[bold]{escape(view.title)}[/bold]", highlight=False)
    out.print(text.t("workshop.show.seed", seed=view.seed), markup=False, highlight=False)
    out.print(text.t("workshop.show.intake", file=view.intake_file), markup=False,
              highlight=False)
    out.print()
    out.print(view.task.rstrip(), markup=False, highlight=False)
    out.print()
    key = "workshop.show.expect" if view.expected_count else "workshop.show.expect_all"
    out.print(text.t(key, count=view.expected_count or 0, id=view.id), markup=False,
              highlight=False)


@workshop_app.command("check")
def check_command(
    exercise_id: Annotated[str, typer.Argument(help="Exercise id, e.g. ex1.")],
    answer: Annotated[Path | None, typer.Argument(
        help="The answer: a Markdown list (one claim per '- ' line) or YAML with 'answers:'.")]
    = None,
    lang: LangOption = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also print the reference solution archreview computes.")] = False,
    provider: Annotated[str | None, typer.Option(
        help="LLM for judgment on top: offline, anthropic, openai or openai-compatible "
             "(default: ARCHREVIEW_PROVIDER, else offline unless a key is configured).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Base URL of an OpenAI-compatible server.")] = None,
) -> None:
    """Score an answer against the computed reference: found, missed (with evidence), score."""
    from assistant.cli.review import _build_provider, _settings
    from assistant.i18n.messages import Messages
    from assistant.intake.loading import IntakeError
    from assistant.workshop.check import Judgment, check_answer
    from assistant.workshop.exercises import WorkshopError
    from assistant.workshop.service import explain_exercise

    if answer is None and not explain:
        raise typer.BadParameter("give an ANSWER file, or --explain for the reference solution",
                                 param_hint="ANSWER")
    settings = _settings(provider, model, base_url, lang)
    text = Messages(settings.language)
    try:
        if answer is None:
            _print_reference(explain_exercise(exercise_id, settings.language), text)
            return
        result = check_answer(exercise_id, answer, settings.language)
    except (WorkshopError, IntakeError) as error:
        raise _fail(error) from None
    llm = _build_provider(settings)
    if llm is None:
        result.judgment = Judgment(source="none", note=text.t("workshop.check.no_llm"))
    else:
        from assistant.workshop.judgment import judge

        result.judgment = judge(result, llm, settings)
    _print_check(result, text)
    if explain:
        out.print()
        _print_reference(result.reference, text)


def _via(via: dict[str, list[str]], text: Messages) -> str:
    return "; ".join(f"{text.t('workshop.via.' + label)}: {', '.join(words)}"
                     for label, words in via.items())


def _item_line(item: ExpectedItem, text: Messages) -> str:
    return text.t("workshop.check.missed_item", ref=item.key, title=item.title)


def _print_check(result: CheckResult, text: Messages) -> None:
    found, expected = len(result.found), result.expected
    title = text.t("workshop.check.title", exercise=result.exercise_id, found=found,
                   expected=expected, pct=round(result.score * 100, 1))
    out.print(f"[bold]{escape(title)}[/bold]", highlight=False)
    out.print(text.t("workshop.check.score_rule", found=found, expected=expected),
              markup=False, highlight=False)
    out.print(f"\n[bold]{text.t('workshop.check.found')}[/bold]", highlight=False)
    for f in result.found:
        out.print("  ✓ " + text.t("workshop.check.found_item", ref=f.item.key, title=f.item.title,
                                   claim=f.claim.number, via=_via(f.via, text)),
                  markup=False, highlight=False)
    if not result.found:
        out.print("  " + text.t("workshop.check.none"), markup=False, highlight=False)
    out.print(f"\n[bold]{text.t('workshop.check.missed')}[/bold]", highlight=False)
    for m in result.missed:
        out.print("  ✗ " + _item_line(m, text), markup=False, highlight=False)
        out.print("    " + m.summary, markup=False, highlight=False)
        for line in m.evidence:
            out.print("    - " + line, markup=False, highlight=False)
    if not result.missed:
        out.print("  " + text.t("workshop.check.none"), markup=False, highlight=False)
    if result.others:
        out.print(f"\n[bold]{text.t('workshop.check.others')}[/bold]", highlight=False)
    for other in result.others:
        line = text.t(f"workshop.check.{other.status}", claim=other.claim.number,
                      ref=other.item_key or "", title=other.item_title or "",
                      text=other.claim.text)
        out.print("  ? " + line, markup=False, highlight=False)
    out.print()
    judgment = result.judgment
    if judgment.source == "llm":
        out.print(f"[bold]{escape(text.t('workshop.check.llm', provider=judgment.note))}"
                  "[/bold]", highlight=False)
        out.print(judgment.text, markup=False, highlight=False)
    elif judgment.source == "fallback":
        out.print(text.t("workshop.check.llm_fallback", cause=judgment.note), markup=False,
                  highlight=False)
    else:
        out.print(judgment.note or text.t("workshop.check.no_llm"), markup=False,
                  highlight=False)


def _print_reference(reference: ReferenceSolution, text: Messages) -> None:
    out.print(f"[bold]{escape(text.t('workshop.explain.title', file=reference.intake_file))}"
              "[/bold]", highlight=False)
    if reference.first_break:
        out.print(reference.first_break, markup=False, highlight=False)
    out.print(f"\n[bold]{text.t('workshop.explain.expected')}[/bold]", highlight=False)
    for number, item in enumerate(reference.expected, start=1):
        out.print(f"  {number}. " + _item_line(item, text), markup=False, highlight=False)
        out.print("     " + item.summary, markup=False, highlight=False)
        for line in item.evidence:
            out.print("     - " + line, markup=False, highlight=False)
    for line in reference.caching:
        out.print("  " + line, markup=False, highlight=False)
    if reference.roadmap:
        out.print(f"\n[bold]{text.t('workshop.explain.roadmap')}[/bold]", highlight=False)
        for line in reference.roadmap:
            out.print("  " + line, markup=False, highlight=False)
    if reference.others:
        out.print(f"\n[bold]{text.t('workshop.explain.others')}[/bold]", highlight=False)
        for item in reference.others:
            out.print("  - " + _item_line(item, text), markup=False, highlight=False)
