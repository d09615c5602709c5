"""The eval: every case in `evals/cases/`, offline and (with a cassette) through the LLM path.

Built on pydantic-evals (Dataset, Case, Evaluators). Per case, the review runs offline and is
checked against what the case's source documents: the first component to break, the remedy
among the first three actions, and, where the case lists them, the findings it must and must
not raise (precision and recall over rule ids). Where the case has a cassette recorded from a
real model server (`evals/cassettes/<case>.yaml`), the review also runs through the LLM path,
replayed from it (replay only: a request the cassette lacks, or an exchange it holds that the
review no longer makes, fails the case by name), and the evaluators count what the model did:
schema-valid first answers, repairs, sections fallen back, and how many of the ids it cited
exist. Both retrieval query sets are scored too. Thresholds are in `evals/config.yaml`;
results go to `evals/results.json` and `evals/results.md`; a miss exits 1.

    python -m evals.runner            (or `make eval`, or `archreview eval`)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic_evals import Case, Dataset
from pydantic_evals.evaluators import Evaluator, EvaluatorContext, EvaluatorOutput

from assistant import review
from assistant.intake.loading import validate_intake
from assistant.intake.schema import Intake
from evals.metrics import LlmOutcome
from evals.replay import CASSETTE_DIR

EVALS = Path(__file__).resolve().parent
CASES_DIR = EVALS / "cases"
CONFIG_FILE = EVALS / "config.yaml"
RESULTS_JSON = EVALS / "results.json"
RESULTS_MD = EVALS / "results.md"
RETRIEVAL_SETS = {"authors": EVALS / "retrieval.yaml", "blind": EVALS / "retrieval_blind.yaml"}
TOP_TASKS = 3


class Expected(BaseModel):
    """What the source documents (the optional keys are newer; old case files stay valid)."""

    first_break: list[str]
    remedies: list[str]
    expected_remedy: list[str] | None = Field(default=None, description=(
        "the remedy to find among the first three actions; default: remedies"))
    must_find: list[str] = Field(default_factory=list, description="rule ids the review raises")
    must_not_find: list[str] = Field(default_factory=list, description="rule ids it must not")


class CaseInput(BaseModel):
    """One case's input: the intake and where its cassette would be."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    source: Intake | Path
    cassette_dir: Path = CASSETTE_DIR


class Outcome(BaseModel):
    """What the review computed for a case, and what its LLM path did (with a cassette)."""

    first_break: list[str]
    first_tasks: list[str]
    rule_ids: list[str]
    llm: LlmOutcome | None = None
    llm_error: str | None = None


def _as_list(value: object) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def load_cases(directory: Path = CASES_DIR,
               cassette_dir: Path = CASSETTE_DIR) -> list[Case[CaseInput, Outcome, Expected]]:
    """Read every case file; an intake is a path relative to the case, or inline.

    The optional keys `must_find`, `must_not_find` and `expected_remedy` sit at the top level
    or under `expected`.
    """
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intake: Any = data["intake"]
        source = (path.parent / intake).resolve() if isinstance(intake, str) else \
            validate_intake(path, intake, {})
        expected = dict(data["expected"])
        for key in ("must_find", "must_not_find", "expected_remedy"):
            if key in data:
                expected.setdefault(key, data[key])
        expected["expected_remedy"] = _as_list(expected.get("expected_remedy"))
        cases.append(Case(name=data["name"],
                          inputs=CaseInput(name=data["name"], source=source,
                                           cassette_dir=cassette_dir),
                          expected_output=Expected.model_validate(expected),
                          metadata={"kind": data.get("kind", "real-world"),
                                    "source": data["source"], "file": path.name}))
    return cases


def run_case(inputs: CaseInput, *, with_llm: bool = True) -> Outcome:
    """Review one case offline; replay its LLM path when it has a cassette."""
    from evals.llm_path import replay_case

    result = review(inputs.source)
    first = result.capacity.first_break
    tasks = [t.pattern_id for p in result.roadmap.phases for t in p.tasks][:TOP_TASKS]
    outcome = Outcome(first_break=[first.subject, *first.members] if first else [],
                      first_tasks=tasks, rule_ids=sorted({f.rule_id for f in result.findings}))
    if not with_llm:
        return outcome
    try:
        outcome.llm = replay_case(inputs.name, inputs.source, inputs.cassette_dir)
    except Exception as error:  # noqa: BLE001 - a broken cassette fails this case, by name
        outcome.llm_error = f"{type(error).__name__}: {str(error)[:300]}"
    return outcome


Ctx = EvaluatorContext[CaseInput, Outcome, Expected]


@dataclass
class FirstBreakRight(Evaluator[CaseInput, Outcome, Expected]):
    """The first component to break is one the source names."""

    def evaluate(self, ctx: Ctx) -> bool:
        assert ctx.expected_output is not None
        return bool(set(ctx.output.first_break[:1]) & set(ctx.expected_output.first_break))


@dataclass
class RemedyInFirstThree(Evaluator[CaseInput, Outcome, Expected]):
    """The documented remedy is among the first three roadmap actions."""

    def evaluate(self, ctx: Ctx) -> bool:
        assert ctx.expected_output is not None
        wanted = ctx.expected_output.expected_remedy or ctx.expected_output.remedies
        return bool(set(ctx.output.first_tasks) & set(wanted))


@dataclass
class FindingsPrecisionRecall(Evaluator[CaseInput, Outcome, Expected]):
    """Findings against the case's must / must-not lists (rule ids); none when it has none.

    Recall: the share of must-find rules raised. Precision: of the raised rules the case
    judges (in either list), the share it wants; a rule it does not judge is not counted.
    """

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        assert ctx.expected_output is not None
        must, must_not = set(ctx.expected_output.must_find), \
            set(ctx.expected_output.must_not_find)
        raised = set(ctx.output.rule_ids)
        scores: dict[str, float] = {}
        if must:
            scores["findings_recall"] = len(raised & must) / len(must)
        judged = raised & (must | must_not)
        if must or must_not:
            scores["findings_precision"] = len(judged & must) / len(judged) if judged else 1.0
        return scores


@dataclass
class LlmPath(Evaluator[CaseInput, Outcome, Expected]):
    """What the replayed LLM path did; none for a case without a cassette."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        if ctx.output.llm_error:
            return {"replay_complete": False}
        llm = ctx.output.llm
        if llm is None:
            return {}
        return {
            "replay_complete": llm.replay_complete,
            "schema_valid_first": _share(llm.schema_valid_first, llm.first_answers),
            "grounding_rate": _share(llm.grounded_claims, llm.claims),
            "accepted_grounding": _share(llm.accepted_grounded, llm.accepted_claims),
            "repairs": llm.repairs,
            "sections_fallen_back": len(llm.fallen_back),
            "sections_answered": llm.steps - len(llm.fallen_back),
            "unlabelled_fallbacks": sum(1 for c in llm.fallen_back.values() if c == "None"),
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def dataset(cases: list[Case[CaseInput, Outcome, Expected]] | None = None,
            ) -> Dataset[CaseInput, Outcome, Expected]:
    """The eval cases with their evaluators."""
    return Dataset(name="archreview", cases=cases if cases is not None else load_cases(),
                   evaluators=[FirstBreakRight(), RemedyInFirstThree(),
                               FindingsPrecisionRecall(), LlmPath()])


# --- the figures, the thresholds and the files ----------------------------------------------


def load_config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The thresholds (see evals/config.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _value(case: Any, name: str) -> Any:
    for table in (case.assertions, case.scores, case.metrics, case.labels):
        if name in table:
            return table[name].value if hasattr(table[name], "value") else table[name]
    return None


def case_rows(report: Any) -> list[dict[str, Any]]:
    """One row per case: the checks, the LLM path's figures and what failed it."""
    rows = []
    for case in report.cases:
        llm: LlmOutcome | None = case.output.llm
        row: dict[str, Any] = {
            "case": case.name, "kind": case.metadata["kind"],
            "first_break": case.output.first_break[0] if case.output.first_break else None,
            "first_break_right": _value(case, "FirstBreakRight"),
            "first_tasks": case.output.first_tasks,
            "remedy_in_first_three": _value(case, "RemedyInFirstThree"),
            "findings_recall": _value(case, "findings_recall"),
            "findings_precision": _value(case, "findings_precision"),
            "cassette": llm is not None or case.output.llm_error is not None,
        }
        if llm is not None or case.output.llm_error is not None:
            row.update({name: _value(case, name) for name in (
                "replay_complete", "schema_valid_first", "grounding_rate", "accepted_grounding",
                "repairs", "sections_fallen_back", "sections_answered",
                "unlabelled_fallbacks")})
            row["llm_error"] = case.output.llm_error
        if llm is not None:
            row.update(steps=llm.steps, fallen_back=llm.fallen_back, missing=llm.missing,
                       unplayed=llm.unplayed, drift=len(llm.drift), mode=llm.mode)
        rows.append(row)
    for failure in report.failures:
        rows.append({"case": failure.name, "error": failure.error_message})
    return rows


def _mean(values: list[Any]) -> float | None:
    numbers = [float(v) for v in values if v is not None]
    return round(sum(numbers) / len(numbers), 3) if numbers else None


def overall(rows: list[dict[str, Any]], retrieval: dict[str, Any]) -> dict[str, Any]:
    """The overall figures over all cases (None where no case has the figure)."""
    done = [r for r in rows if "error" not in r]
    with_llm = [r for r in done if r.get("cassette")]
    both = [bool(r["first_break_right"] and r["remedy_in_first_three"]) for r in done]
    return {
        "cases": len(rows), "errors": len(rows) - len(done),
        "first_break_right": _mean([r["first_break_right"] for r in done]),
        "remedy_in_first_three": _mean([r["remedy_in_first_three"] for r in done]),
        "both_checks_share": _mean(both) if rows else None,
        "findings_recall": _mean([r.get("findings_recall") for r in done]),
        "findings_precision": _mean([r.get("findings_precision") for r in done]),
        "cases_with_cassette": len(with_llm),
        "replay_complete_share": _mean([r.get("replay_complete") for r in with_llm]),
        "schema_valid_first": _mean([r.get("schema_valid_first") for r in with_llm]),
        "grounding_rate": _mean([r.get("grounding_rate") for r in with_llm]),
        "accepted_grounding_rate": _mean([r.get("accepted_grounding") for r in with_llm]),
        "repairs": sum(int(r.get("repairs") or 0) for r in with_llm),
        "sections_fallen_back": sum(int(r.get("sections_fallen_back") or 0) for r in with_llm),
        "sections_answered": sum(int(r.get("sections_answered") or 0) for r in with_llm),
        "unlabelled_fallbacks": sum(int(r.get("unlabelled_fallbacks") or 0) for r in with_llm),
        "retrieval": retrieval,
    }


def misses(figures: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """Every threshold the figures miss, in words."""
    found = []
    offline, llm = config.get("offline", {}), config.get("llm", {})
    checks = [("both_checks_share", offline.get("both_checks_share"), "min"),
              ("findings_recall", offline.get("findings_recall"), "min"),
              ("findings_precision", offline.get("findings_precision"), "min"),
              ("replay_complete_share", llm.get("replay_complete_share"), "min"),
              ("accepted_grounding_rate", llm.get("accepted_grounding_rate"), "min"),
              ("unlabelled_fallbacks", llm.get("unlabelled_fallbacks_max"), "max"),
              ("cases_with_cassette", llm.get("min_cases_with_cassette"), "min")]
    for name, limit, kind in checks:
        value = figures.get(name)
        if limit is None or value is None:
            continue
        if (kind == "min" and value < limit) or (kind == "max" and value > limit):
            found.append(f"{name} {value} {'below' if kind == 'min' else 'above'} {limit}")
    if figures.get("errors"):
        found.append(f"{figures['errors']} case(s) raised an error")
    goal = config.get("retrieval", {}).get("recall_at_5")
    for name, scores in figures.get("retrieval", {}).items():
        if goal is not None and scores["all"]["recall"] < goal:
            found.append(f"retrieval {name}: recall@5 {scores['all']['recall']} below {goal}")
    return found


def retrieval_figures(sets: dict[str, Path] | None = None, k: int = 5) -> dict[str, Any]:
    """recall@k and MRR per query set and language (hybrid retrieval, as the review uses)."""
    from evals.run_retrieval import load_eval, run, score, searcher

    search = searcher("hybrid", k)
    figures: dict[str, Any] = {}
    for name, path in (sets or RETRIEVAL_SETS).items():
        if not path.exists():
            continue
        results = run(search, load_eval(path), k)
        per_lang = {}
        for lang in sorted({q.lang for q, _ in results}) + ["all"]:
            s = score([r for r in results if lang in ("all", r[0].lang)], k)
            per_lang[lang] = {"queries": s.queries, "recall": round(s.recall, 3),
                              "mrr": round(s.mrr, 3)}
        figures[name] = per_lang
    return figures


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def markdown(rows: list[dict[str, Any]], figures: dict[str, Any], failed: list[str],
             baseline: dict[str, Any] | None = None) -> str:
    """The per-case table, the overall figures (against the baseline run) and the misses."""
    columns = ["case", "kind", "first_break", "first_break_right", "first_tasks",
               "remedy_in_first_three", "findings_recall", "findings_precision",
               "replay_complete", "schema_valid_first", "grounding_rate", "accepted_grounding",
               "repairs", "sections_answered", "sections_fallen_back"]
    lines = ["# Eval results", "",
             "Offline review per case; the LLM columns only for cases with a cassette recorded "
             "from a real small model (replayed, not live: its answers are not expert "
             "judgment).", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    lines += ["", "## Overall", "", "| figure | value | baseline |", "|---|---|---|"]
    before = (baseline or {}).get("overall", {})
    for name, value in figures.items():
        if name != "retrieval":
            lines.append(f"| {name} | {_cell(value)} | {_cell(before.get(name))} |")
    lines += ["", "## Retrieval (recall@5 / MRR)", "", "| set | lang | queries | recall@5 | MRR |",
              "|---|---|---|---|---|"]
    for name, per_lang in figures.get("retrieval", {}).items():
        lines += [f"| {name} | {lang} | {s['queries']} | {s['recall']:.3f} | {s['mrr']:.3f} |"
                  for lang, s in per_lang.items()]
    problems = [f"- {r['case']}: {r['llm_error']}" for r in rows if r.get("llm_error")]
    problems += [f"- {r['case']}: not in the cassette: {m}" for r in rows
                 for m in r.get("missing", [])]
    problems += [f"- {r['case']}: recorded, never asked: {m}" for r in rows
                 for m in r.get("unplayed", [])]
    problems += [f"- {r['case']}: error {r['error']}" for r in rows if "error" in r]
    if problems:
        lines += ["", "## Case failures", "", *problems]
    lines += ["", "## Thresholds (evals/config.yaml)", "",
              *([f"- MISSED: {m}" for m in failed] or ["- all met"])]
    return "\n".join(lines) + "\n"


def evaluate(cases_dir: Path = CASES_DIR, cassette_dir: Path = CASSETTE_DIR, *,
             with_llm: bool = True, retrieval: bool = True) -> tuple[list[dict[str, Any]],
                                                                      dict[str, Any]]:
    """Run every case (and the retrieval sets); return the rows and the overall figures."""
    data = dataset(load_cases(cases_dir, cassette_dir))
    report = data.evaluate_sync(lambda inputs: run_case(inputs, with_llm=with_llm),
                                max_concurrency=1, progress=False)
    rows = case_rows(report)
    return rows, overall(rows, retrieval_figures() if retrieval else {})


def main(argv: list[str] | None = None) -> int:
    """Run the eval, write the results, print the table; exit 1 on a missed threshold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES_DIR)
    parser.add_argument("--cassettes", type=Path, default=CASSETTE_DIR)
    parser.add_argument("--config", type=Path, default=CONFIG_FILE)
    parser.add_argument("--out", type=Path, default=RESULTS_JSON,
                        help="results JSON (the Markdown table goes beside it)")
    parser.add_argument("--offline", action="store_true", help="skip the cassettes")
    parser.add_argument("--no-retrieval", action="store_true", help="skip the query sets")
    args = parser.parse_args(argv)
    baseline = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else None
    rows, figures = evaluate(args.cases, args.cassettes, with_llm=not args.offline,
                             retrieval=not args.no_retrieval)
    failed = misses(figures, load_config(args.config))
    table = markdown(rows, figures, failed, baseline)
    args.out.write_text(json.dumps({"overall": figures, "cases": rows, "missed": failed},
                                   indent=2, default=str) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
