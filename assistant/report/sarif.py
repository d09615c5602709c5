"""The SARIF 2.1.0 report: findings as code-scanning results on the architecture file.

Why SARIF: code-scanning views (GitHub, GitLab, IDEs) read it and show each finding as an
annotation on the intake file, on the line of the component concerned, so a review in CI lands
where the team edits its architecture. One result per finding; the rule metadata (id, title,
help text, level, the pattern cards as help links) comes from the rule registry, so a rule added
there appears here without a change.

Lines: the `Review` carries no line numbers, so the writer re-reads the intake file the review
names (bounded, safe loader) for the line of each component; when the file is gone or is not
YAML (JSON has no line map) the result points at the file without a line.
"""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path, PurePosixPath
from typing import Any

import assistant.analysis.rules  # noqa: F401 - registers every rule in RULES
from assistant.analysis.rules.finding import Finding, Severity
from assistant.analysis.rules.registry import RULES, Rule
from assistant.assessment.model import Review
from assistant.i18n.messages import Messages
from assistant.intake.problems import IntakeError
from assistant.knowledge.cards import PatternCard, load_cards
from assistant.version import __version__

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
#: The base the intake's relative path is resolved against: the checkout (repository root).
SOURCE_ROOT = "%SRCROOT%"
#: critical/high block a merge, medium is worth a look, low is a note.
LEVELS: dict[Severity, str] = {"critical": "error", "high": "error", "medium": "warning",
                               "low": "note"}
#: The numeric score code-scanning views sort by (GitHub's `security-severity` scale).
_SCORES: dict[Severity, str] = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "2.0"}
_CARDS_FOLDER = "knowledge"


def render_sarif(review: Review) -> str:
    """Serialise a review's findings as one SARIF 2.1.0 log (stable, indented JSON)."""
    return json.dumps(sarif_log(review), indent=2, ensure_ascii=False) + "\n"


def sarif_log(review: Review) -> dict[str, Any]:
    """The SARIF log as data: one run, every registered rule, one result per finding."""
    text = Messages(review.language)
    cards = {card.id: card for card in load_cards()}
    rule_ids = sorted(RULES)
    uri = artifact_uri(review.provenance.inputs_file)
    lines = component_lines(Path(review.provenance.inputs_file), review)
    results = [_result(f, rule_ids.index(f.rule_id), uri, lines, text)
               for f in review.findings if f.rule_id in RULES]
    location: dict[str, Any] = {"uri": uri}
    if not Path(review.provenance.inputs_file).is_absolute():
        location["uriBaseId"] = SOURCE_ROOT
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "archreview", "version": __version__,
                "informationUri": "https://archreview.local/",
                "rules": [_rule(RULES[rule_id], cards, text) for rule_id in rule_ids],
            }},
            "artifacts": [{"location": location}],
            "results": results,
            "properties": {"review": review.name, "inputsSha256": review.provenance.inputs_sha256},
        }],
    }


def artifact_uri(inputs_file: str) -> str:
    """The intake file as a URI code scanning can match: relative to the checkout if it can be.

    A relative path is kept (CI runs from the repository root); an absolute one inside the
    working directory becomes relative; anything else is a `file://` URI.
    """
    path = Path(inputs_file)
    if not path.is_absolute():
        return PurePosixPath(*path.parts).as_posix()
    try:
        return PurePosixPath(*path.relative_to(Path.cwd()).parts).as_posix()
    except ValueError:
        return path.as_uri()


def component_lines(path: Path, review: Review) -> dict[str, int]:
    """The line each component's entry starts on in the intake file (empty when unknown)."""
    from assistant.intake.loading import read_intake_data

    try:
        _data, lines = read_intake_data(path)
    except (IntakeError, OSError):
        return {}
    found = {}
    for index, component in enumerate(review.intake.components):
        line = lines.get(("components", index))
        if line is not None:
            found[component.id] = line
    return found


def _rule(rule: Rule, cards: dict[str, PatternCard], text: Messages) -> dict[str, Any]:
    """One rule's metadata: title, help with the pattern cards, default level, help link."""
    title = rule_title(rule.id, text)
    known = [cards[p] for p in rule.patterns if p in cards]
    card_lines = [f"- [{_card_title(c, text)}]({card_uri(c.id)})" for c in known]
    help_text = text.t("sarif.help", title=title, severity=text.t(f"html.severity.{rule.severity}"))
    entry: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text + " " + text.t("sarif.help_patterns", patterns=", ".join(
                     f"{_card_title(c, text)} ({card_uri(c.id)})" for c in known)),
                 "markdown": help_text + "\n\n" + text.t("sarif.help_patterns_heading")
                 + "\n\n" + "\n".join(card_lines)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["architecture", "scaling"],
                       "security-severity": _SCORES[rule.severity],
                       "patterns": list(rule.patterns)},
    }
    if known:
        entry["helpUri"] = card_uri(known[0].id)
    return entry


def rule_title(rule_id: str, text: Messages) -> str:
    """The rule's title without finding-specific figures (a SARIF rule is the same everywhere)."""
    generic = f"sarif.rule_title.{rule_id}"
    if text.has(generic):
        return text.t(generic)
    return _with_named_blanks(text, f"rule.{rule_id}.title")


def _with_named_blanks(text: Messages, key: str) -> str:
    """A title whose placeholders are per finding, with each shown as `<name>`.

    Rules added after the SARIF writer (and their titles with `{component}` and the like)
    need no SARIF string of their own to keep the log from failing.
    """
    names = {field for _, field, _, _ in string.Formatter().parse(text.t_raw(key)) if field}
    return text.t(key, **{name: f"<{name}>" for name in names})


def card_uri(card_id: str) -> str:
    """The pattern card's Markdown file, relative to the archreview checkout."""
    return f"{_CARDS_FOLDER}/{card_id}.md"


def _card_title(card: PatternCard, text: Messages) -> str:
    return card.title_de if text.lang == "de" else card.title


def _result(finding: Finding, rule_index: int, uri: str, lines: dict[str, int],
            text: Messages) -> dict[str, Any]:
    """One finding: its sentence, level, the file and the line of its first component."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": 0}}
    if not uri.startswith("file:"):
        physical["artifactLocation"]["uriBaseId"] = SOURCE_ROOT
    line = next((lines[c] for c in finding.components if c in lines), None)
    if line is not None:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.components:
        location["logicalLocations"] = [{"name": c, "kind": "module"}
                                        for c in finding.components]
    title = text.t(f"rule.{finding.rule_id}.title", **finding.params)
    summary = text.t(f"rule.{finding.rule_id}.summary", **finding.params)
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.id}: {title}. {summary}"},
        "locations": [location],
        "partialFingerprints": {"archreviewFinding/v1": _fingerprint(finding)},
        "properties": {"severity": finding.severity, "components": finding.components,
                       "patterns": finding.patterns},
    }
    if finding.breaking_month is not None:
        result["properties"]["breakingMonth"] = finding.breaking_month
    return result


def _fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: the rule and the components it concerns."""
    key = finding.rule_id + "|" + ",".join(sorted(finding.components)) + "|" + str(
        finding.params.get("subject", "")) + "|" + str(finding.params.get("resource", ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _pascal(rule_id: str) -> str:
    """`no-cdn` -> `NoCdn`: SARIF's `name` is an identifier-like rule name."""
    return "".join(part.capitalize() for part in rule_id.split("-"))


def merge_logs(logs: list[dict[str, Any]]) -> dict[str, Any]:
    """Many reviews' SARIF logs as one log with one run (one upload for a whole batch).

    Why one run: code-scanning uploads refuse several runs of the same tool and category in
    one upload. The rules are the registry's in every log; artifacts are concatenated and each
    result's artifact index moved along.
    """
    from assistant.version import __version__ as version

    rules = logs[0]["runs"][0]["tool"]["driver"]["rules"] if logs else []
    artifacts: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for log in logs:
        run = log["runs"][0]
        offset = len(artifacts)
        artifacts += run["artifacts"]
        for result in run["results"]:
            for location in result["locations"]:
                location["physicalLocation"]["artifactLocation"]["index"] += offset
            results.append(result)
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [{
        "tool": {"driver": {"name": "archreview", "version": version,
                            "informationUri": "https://archreview.local/", "rules": rules}},
        "artifacts": artifacts, "results": results}]}
