"""The workflow's nodes: each calls the plain functions that compute or judge one step.

Nodes read the state, call a tested function (capacity model, rules, retrieval, structured ask)
and return a partial update. LLM steps always have the offline analyzer's answer ready: with no
provider it is the answer; with a provider it is the fallback when the model's answer cannot be
validated or grounded, the provider fails or the step runs out of time, and the section says
which it shows. A programming error in an LLM node (offline or not) reaches `fallback_handler`:
the section shows the offline answer labelled internal error, and the traceback goes to the run
log.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from langgraph.errors import NodeError
from langgraph.runtime import Runtime
from langgraph.types import Command

from assistant.analysis.rules import run_rules
from assistant.analysis.rules.finding import Finding
from assistant.assessment import offline_analyzer as offline
from assistant.assessment.compute import compute_facts
from assistant.assessment.model import Facts, Review, SectionSource
from assistant.assessment.sections import STEP_SCHEMAS
from assistant.capacity.model import analyse
from assistant.catalogue.model import defaults_for
from assistant.intake.loading import read_intake_data, validate_intake
from assistant.intake.schema import Intake
from assistant.llm import grounding
from assistant.llm.ask import ReviewCancelled, ask
from assistant.llm.prompt_facts import llm_facts
from assistant.llm.prompts import LANGUAGE_NAMES, render
from assistant.llm.providers.errors import redact
from assistant.llm.run_log import RunLog
from assistant.llm.step_facts import facts_for
from assistant.workflow.state import INTERNAL_ERROR, ReviewState, RunContext

Ctx = Runtime[RunContext]
ADVICE_STEPS = ("database", "performance_audit", "caching")


def load(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Read and parse the intake file."""
    raw, lines = read_intake_data(state["path"])
    return {"raw": raw, "lines": lines}


def validate(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Validate the parsed intake (raises IntakeError with every problem)."""
    return {"intake": validate_intake(state["path"], state["raw"], state["lines"],
                                      allow_draft=runtime.context.settings.allow_draft)}


def capacity(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Run the capacity model."""
    return {"capacity": analyse(state["intake"], defaults_for(state["intake"]))}


def rules(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Run the deterministic rules over intake and capacity."""
    intake = state["intake"]
    return {"findings": run_rules(intake, state["capacity"], defaults_for(intake))}


def finding_query(finding: Finding, intake: Intake) -> str:
    """The knowledge-base query for a finding: its rule's words and the kinds it concerns."""
    kinds = {intake.component(c).kind for c in finding.components}
    return " ".join([finding.rule_id.replace("-", " "), *sorted(kinds)])


def retrieve_all(retrieval: Callable[[str, str | None], list[str]],
                 queries: list[str]) -> list[list[str]]:
    """Card ids per query: in one round when the retrieval can (`many`), else one by one."""
    many = getattr(retrieval, "many", None)
    if callable(many):
        return list(many(queries))
    return [retrieval(query, None) for query in queries]


def retrieve(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Retrieve pattern cards per finding, compute every figure, build the shared prefix.

    The prefix (the facts every step's prompt starts with) is built only when a provider will
    read it: offline, `_judge` returns before any prompt, and the render cost ~5 ms a review
    (~55 ms on a cold start, compiling the template).
    """
    ctx = runtime.context
    related: dict[str, list[str]] = {}
    if ctx.retrieval is not None:
        queries = {finding.id: finding_query(finding, state["intake"])
                   for finding in state["findings"]}
        found = retrieve_all(ctx.retrieval, list(queries.values()))
        related = {fid: [c for c in ids if c in ctx.cards]
                   for fid, ids in zip(queries, found, strict=True)}
    facts = compute_facts(state["intake"], source=ctx.source, lang=ctx.settings.language,
                          clock=ctx.clock, cards=ctx.cards, capacity=state["capacity"],
                          findings=state["findings"], related=related)
    if ctx.provider is None:  # nothing asks a model: the prompt facts would go unread
        return {"facts": facts}
    shown = {c: ctx.cards[c] for c in sorted({p.id for p in facts.patterns})}
    prompt_facts = llm_facts(facts, shown)
    return {"facts": facts, "prompt_facts": prompt_facts,
            "prefix": render("facts", facts=prompt_facts)}


def _system(ctx: RunContext) -> str:
    return render("system", language_name=LANGUAGE_NAMES[ctx.settings.language])


def _judge(step: str, key: str, state: ReviewState, ctx: RunContext, offline_value: object,
           check: Callable[[Any], list[str]], **prompt_vars: object) -> dict[str, Any]:
    """Ask the LLM for one section, keeping the offline answer as the fallback.

    With no provider the offline answer is the section; with one, it replaces an answer that
    fails validation or grounding after the bounded repairs, and the section says why.

    Raises:
        ReviewCancelled: the user stopped the review; nothing is labelled or written.
    """
    if ctx.provider is None:
        return {key: offline_value, "sections": {step: SectionSource(source="offline")}}
    if ctx.unavailable is not None:
        ctx.log.write(step=step, event="unreachable", problems=[ctx.unavailable])
        return {key: offline_value, "sections": {step: SectionSource(
            source="fallback", problems=[ctx.unavailable], cause="unreachable")}}
    result = ask(ctx.provider, step=step, system=_system(ctx),
                 prompt=render(step, **prompt_vars), schema=STEP_SCHEMAS[step],
                 shared_prefix=_prefix(step, state, ctx), grounding=check,
                 max_repairs=ctx.settings.max_repairs, log=ctx.log,
                 step_timeout_s=ctx.settings.step_timeout_s,
                 review_deadline=ctx.review_deadline, cancel=ctx.cancel,
                 steps_left=ctx.start_llm_step(_llm_steps(state["facts"])))
    if result.value is None:
        return {key: offline_value, "sections": {step: SectionSource(
            source="fallback", attempts=result.attempts, problems=result.problems,
            cause=result.cause, limit_s=result.limit_s)}}
    return {key: result.value, "sections": {step: SectionSource(
        source="llm", attempts=result.attempts, unverified=list(grounding.UNVERIFIED[step]))}}


def _llm_steps(facts: Facts) -> int:
    """How many steps of this review ask the model: the four always, and its advice steps."""
    return len(ALWAYS_ASKED) + len(offline.advice_steps(facts))


#: The steps that ask the model in every review (the advice steps only with their details).
ALWAYS_ASKED = ("bottlenecks", "cost_performance", "roadmap", "roi")


def _prefix(step: str, state: ReviewState, ctx: RunContext) -> str:
    """The facts a step's prompt carries: all (cacheable) or, in a small context, its part.

    The sizes before and after trimming go to the run log.
    """
    full: str = state["prefix"]
    if getattr(ctx.provider, "context_tokens", None) is None:
        return full
    trimmed = render("facts", facts=facts_for(step, state["prompt_facts"]))
    budget = getattr(ctx.provider, "budget", None)
    estimate = budget.estimate if budget is not None else (lambda chars: chars // 4)
    ctx.log.write(step=step, event="prompt_facts", chars_before=len(full),
                  chars_after=len(trimmed), tokens_before=estimate(len(full)),
                  tokens_after=estimate(len(trimmed)))
    return trimmed


def _known(state: ReviewState) -> grounding.Known:
    return grounding.Known.of(state["facts"], [p.id for p in state["facts"].patterns])


def bottlenecks(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Rank the bottlenecks (LLM judgment on the computed findings)."""
    known = _known(state)
    return _judge("bottlenecks", "analysis", state, runtime.context,
                  offline.bottlenecks(state["facts"]),
                  lambda a: grounding.check_bottlenecks(a, known))


def cost_performance(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Explain and rank the three computed configurations."""
    known = _known(state)
    return _judge("cost_performance", "cost_review", state, runtime.context,
                  offline.cost_performance(state["facts"]),
                  lambda a: grounding.check_cost_performance(a, known))


def _advice_node(step: str) -> Callable[[ReviewState, Ctx], dict[str, Any]]:
    def node(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
        facts = state["facts"]
        if step not in offline.advice_steps(facts):
            return {}
        known = _known(state)
        update = _judge(step, "value", state, runtime.context,
                        offline.offline_advice(facts, step),
                        lambda a: grounding.check_advice(a, known), **_advice_vars(step, facts))
        return {"advice": {step: update.pop("value")}, **update}

    node.__name__ = step
    node.__doc__ = f"Run the focused {step.replace('_', ' ')} (when the intake has the details)."
    return node


def _advice_vars(step: str, facts: Facts) -> dict[str, object]:
    from assistant.llm.prompts import fence

    intake = facts.intake
    endpoints = [{**e.model_dump(include={"path", "method", "requests_per_minute",
                                           "avg_response_time_ms", "data_freshness",
                                           "user_specific"}), "path": fence(e.path)}
                 for e in intake.endpoints]
    if step == "database":
        return {"databases": [{
            "id": c.id, "technology": fence(c.technology) or "-",
            "read_ratio": c.data.read_ratio if c.data else None,
            "replicas": c.data.replicas if c.data else 0,
            "partitions": c.data.partitions if c.data else 1,
            "data_volume_gb": c.data.data_volume_gb if c.data else None}
            for c in intake.components if c.kind == "db"]}
    if step == "performance_audit":
        return {"endpoints": endpoints, "response_goal_ms": intake.targets.max_response_time_ms}
    caches = [c for c in intake.components if c.kind == "cache"]
    memory = f"{caches[0].capacity.memory_gb:g} GB" if caches and caches[0].capacity.memory_gb \
        else "not given"
    return {"endpoints": endpoints, "memory_budget": memory, "goal_improvement_pct": 80}


database = _advice_node("database")
performance_audit = _advice_node("performance_audit")
caching = _advice_node("caching")


def roadmap(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Ask for a phased plan that fits the team; the computed roadmap stays beside it."""
    ctx = runtime.context
    facts = state["facts"]
    if ctx.provider is None:
        return {"roadmap_plan": None, "sections": {"roadmap": SectionSource(source="offline")}}
    constraints = facts.intake.constraints
    budget = str(constraints.budget_per_month) if constraints.budget_per_month else "not given"
    known = _known(state)
    return _judge("roadmap", "roadmap_plan", state, ctx, None,
                  lambda a: grounding.check_roadmap(a, known),
                  team_size=constraints.team_size, scaling_share_pct=constraints.scaling_share_pct,
                  technical_debt=constraints.technical_debt,
                  time_to_market=constraints.time_to_market, budget=budget)


def roi(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Write the business case; the model's figures are replaced by ours and flagged."""
    ctx = runtime.context
    facts = state["facts"]
    known = _known(state)
    update = _judge("roi", "roi_case", state, ctx, offline.roi_case(facts),
                    lambda a: grounding.check_roi(a, known))
    if update["sections"]["roi"].source != "llm":
        return update
    reconciled, flags = grounding.reconcile_roi(update["roi_case"], known)
    for flag in flags:
        ctx.log.write(step="roi", event="recomputed", detail=flag)
    return {**update, "roi_case": reconciled, "recomputed": flags}


def verify(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Assemble the review and record, honestly, what the model contributed and what fell back.

    `mode` is `llm` only when the model's answer supplied at least one section.
    """
    ctx = runtime.context
    facts = state["facts"]
    sections = state.get("sections", {})
    fallbacks = [f"{step}: {'; '.join(s.problems)}" for step, s in sorted(sections.items())
                 if s.source == "fallback"]
    provider = ctx.provider
    asked = [s for s in sections.values() if s.source != "offline"] if provider else []
    answered = sum(1 for s in asked if s.source == "llm")
    causes = sorted({s.cause or "invalid" for s in asked if s.source == "fallback"})
    provenance = facts.provenance.model_copy(update={
        "llm": f"{provider.name}:{provider.model}" if provider else None,
        "llm_model": provider.model if provider else None,
        "llm_sections_asked": len(asked), "llm_sections_answered": answered,
        "llm_unavailable": ", ".join(causes) if provider and not answered else None,
        "recomputed": state.get("recomputed", []), "fallbacks": fallbacks})
    review = Review(**{**dict(facts), "provenance": provenance,
                       "mode": "llm" if answered else "offline"},
                    analysis=state["analysis"], cost_review=state["cost_review"],
                    roadmap_plan=state.get("roadmap_plan"), roi_case=state["roi_case"],
                    advice=state.get("advice", {}), sections=sections)
    return {"review": review}


def render_reports(state: ReviewState, runtime: Ctx) -> dict[str, Any]:
    """Write the requested report formats (and say where the run log is)."""
    from assistant.report import write_reports

    ctx = runtime.context
    if ctx.cancel is not None and ctx.cancel.is_set():
        raise ReviewCancelled  # nothing half-done is written
    if ctx.out_dir is None:
        return {"outputs": []}
    written = write_reports(state["review"], ctx.out_dir, ctx.formats)
    if ctx.log.path is not None and ctx.log.path.exists():
        written.append(str(ctx.log.path))
    return {"outputs": written}


def fallback_handler(step: str, key: str, next_node: str) -> Callable[..., Command[str]]:
    """Build the error handler of an LLM node: show the offline section, say it was a crash.

    Provider failures and timeouts never get here (`ask` falls back for them), so what does is
    a programming error: it must not pass for a provider hiccup. The section's problems start
    with `internal error:`, the traceback goes to the run log, and the CLI exits non-zero. If
    the offline answer itself cannot be built, that second error propagates: there is nothing
    honest left to show.
    """

    def handler(state: ReviewState, error: NodeError, runtime: Ctx) -> Command[str]:
        if isinstance(error.error, ReviewCancelled):
            raise error.error  # Ctrl-C: stop, do not pass it off as a crash
        problem = log_internal_error(runtime.context.log, step, error.error)
        update: dict[str, Any] = {
            "sections": {step: SectionSource(source="fallback", problems=[problem],
                                             cause="internal_error")},
            key: _offline_value(key, step, state["facts"])}
        return Command(update=update, goto=next_node)

    return handler


def log_internal_error(log: RunLog, step: str, error: BaseException) -> str:
    """Write the error's traceback to the run log; return the section's problem text."""
    problem = redact(f"{INTERNAL_ERROR}: {type(error).__name__}: {error}", None)
    trace = redact("".join(traceback.format_exception(error)), None)
    log.write(step=step, event="internal_error", error=problem, traceback=trace)
    return problem


def _offline_value(key: str, step: str, facts: Facts) -> Any:
    """The offline analyzer's answer for the state key an LLM node writes."""
    if key == "analysis":
        return offline.bottlenecks(facts)
    if key == "cost_review":
        return offline.cost_performance(facts)
    if key == "roi_case":
        return offline.roi_case(facts)
    if key == "roadmap_plan":
        return None
    return {step: offline.offline_advice(facts, step)}


def workflow_input(source: Path | Intake, name: str) -> ReviewState:
    """The graph's input: a file to load, or an `Intake` (dumped as given, then validated).

    Dumped with `exclude_unset`, so a field the intake left out stays left out and the
    assumptions ledger lists its default as for a file.

    An `Intake` built in code has passed Pydantic but not the cross-field checks (unknown
    `depends_on` ids, cycles); starting at `validate` runs those for it as for a file.
    """
    if isinstance(source, Path):
        return {"path": source}
    raw = source.model_dump(mode="json", exclude_unset=True)
    return {"path": Path(name), "raw": raw, "lines": {}}


def entry_step(state: ReviewState) -> Literal["load", "validate"]:
    """Start at `load` for a file, at `validate` for an intake given as data."""
    return "validate" if "raw" in state else "load"
