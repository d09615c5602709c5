"""The repair loop, grounding failures and fallbacks, with a scripted fake model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.assessment.sections import AdviceList
from assistant.llm.ask import REPAIR_EXCERPT_CHARS, ask
from assistant.llm.providers.base import ProviderError, TransientProviderError
from assistant.llm.run_log import RunLog
from tests.fakes import ScriptedProvider

GOOD = {"summary": "Cache the catalogue reads first.", "advice": [{
    "title": "Cache catalogue reads", "component_ids": ["db"], "pattern_ids": ["read-replicas"],
    "priority": "now", "impact": "high", "effort": "low",
    "detail": "Put Redis in front of the product queries."}]}


def grounded(answer: AdviceList) -> list[str]:
    return [f"unknown component id '{c}'" for a in answer.advice for c in a.component_ids
            if c not in {"db", "api"}]


def run(provider: ScriptedProvider, log: RunLog, max_repairs: int = 2):
    return ask(provider, step="database", system="sys", prompt="prompt", schema=AdviceList,
               shared_prefix="facts", grounding=grounded, max_repairs=max_repairs, log=log)


def test_valid_answer_is_accepted_first_time(tmp_path: Path) -> None:
    provider = ScriptedProvider().enqueue("database", GOOD)
    result = run(provider, RunLog(tmp_path / "log.jsonl"))
    assert (result.status, result.attempts) == ("accepted", 1)
    assert result.value is not None and result.value.advice[0].title == "Cache catalogue reads"


def test_malformed_answer_is_repaired(tmp_path: Path) -> None:
    provider = ScriptedProvider().enqueue("database", '{"summary": "x", "advice": [', GOOD)
    log = RunLog(tmp_path / "log.jsonl")
    result = run(provider, log)
    assert (result.status, result.attempts) == ("repaired", 2)
    first, repair = provider.history[1].messages  # the prompt, then one repair request
    assert first == {"role": "user", "content": "prompt"}
    assert "rejected" in repair["content"] and "Invalid JSON" in repair["content"]
    assert '{"summary": "x", "advice": [' in repair["content"]  # short: quoted whole
    lines = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    raws = [e["raw"] for e in lines if e["event"] == "answer"]
    assert raws == ['{"summary": "x", "advice": [', json.dumps(GOOD)]
    assert [e["event"] for e in lines] == ["request", "answer", "rejected", "request", "answer",
                                           "repaired"]
    assert result.cause is None


def test_a_repair_quotes_a_bounded_excerpt_and_requests_do_not_grow(tmp_path: Path) -> None:
    long_bad = '{"summary": "' + "x" * 20_000 + '"'
    provider = ScriptedProvider().enqueue("database", long_bad, long_bad, long_bad)
    result = run(provider, RunLog())
    assert result.status == "fallback" and result.cause == "invalid"
    sizes = [sum(len(m["content"]) for m in call.messages) for call in provider.history]
    assert sizes[1] < REPAIR_EXCERPT_CHARS + 1500, sizes
    assert sizes[1] == sizes[2]  # the second repair is no longer than the first
    assert "characters left out" in provider.history[1].messages[1]["content"]


def test_a_truncated_answer_is_asked_again_shorter_not_repaired() -> None:
    class Truncating(ScriptedProvider):
        def complete(self, **kwargs):  # type: ignore[no-untyped-def]
            completion = super().complete(**kwargs)
            if len(self.history) == 1:
                completion.stop_reason = "length"
                completion.extra["max_tokens"] = 1234
            return completion

    provider = Truncating().enqueue("database", '{"summary": "cut', GOOD)
    log = RunLog()
    result = run(provider, log)
    assert result.status == "repaired" and result.attempts == 2
    retry = provider.history[1].messages
    assert len(retry) == 2 and "cut off at the token limit (1234 tokens)" in retry[1]["content"]
    assert '"summary": "cut' not in retry[1]["content"]  # the cut answer is not sent back
    assert "truncated" in [e["event"] for e in log.entries]


def test_an_answer_truncated_every_time_falls_back_labelled_truncated() -> None:
    class AlwaysTruncating(ScriptedProvider):
        def complete(self, **kwargs):  # type: ignore[no-untyped-def]
            completion = super().complete(**kwargs)
            completion.stop_reason = "length"
            return completion

    provider = AlwaysTruncating().enqueue("database", "{", "{", "{")
    result = run(provider, RunLog())
    assert (result.status, result.cause, result.attempts) == ("fallback", "truncated", 3)


def test_schema_violation_goes_back_with_the_field(tmp_path: Path) -> None:
    bad = {**GOOD, "advice": [{**GOOD["advice"][0], "priority": "yesterday"}]}
    provider = ScriptedProvider().enqueue("database", bad, GOOD)
    result = run(provider, RunLog())
    assert result.status == "repaired"
    assert "advice.0.priority" in provider.history[1].messages[1]["content"]


def test_hallucinated_component_is_rejected_then_falls_back(tmp_path: Path) -> None:
    invented = {**GOOD, "advice": [{**GOOD["advice"][0], "component_ids": ["mainframe"]}]}
    provider = ScriptedProvider().enqueue("database", invented, invented, invented)
    log = RunLog(tmp_path / "log.jsonl")
    result = run(provider, log)
    assert result.status == "fallback" and result.value is None and result.attempts == 3
    assert result.problems == ["unknown component id 'mainframe'"]
    assert result.cause == "ungrounded"
    assert "unknown component id 'mainframe'" in provider.history[1].messages[1]["content"]
    assert len(provider.history) == 3
    text = (tmp_path / "log.jsonl").read_text()
    events = [json.loads(line)["event"] for line in text.splitlines()]
    assert events.count("answer") == 3 and events[-1] == "fallback"


def test_refusal_falls_back_without_repair() -> None:
    class Refusing(ScriptedProvider):
        def complete(self, **kwargs):  # type: ignore[no-untyped-def]
            completion = super().complete(**kwargs)
            completion.refusal = "I cannot help with that"
            return completion

    provider = Refusing().enqueue("database", GOOD)
    result = run(provider, RunLog())
    assert result.status == "fallback" and "refused" in result.problems[0]
    assert result.cause == "refused"
    assert len(provider.history) == 1


@pytest.mark.parametrize(("error", "cause"), [
    (ProviderError("401 bad key"), "rejected"), (TransientProviderError("503"), "server_error"),
    (TransientProviderError("refused", "unreachable"), "unreachable"),
    (ProviderError("no format", "format_refused"), "format_refused")])
def test_provider_errors_fall_back_without_a_second_retry(error: ProviderError,
                                                          cause: str) -> None:
    provider = ScriptedProvider().enqueue("database", error, GOOD)
    log = RunLog()
    result = run(provider, log)
    assert result.status == "fallback" and result.attempts == 1 and result.cause == cause
    assert result.problems == [f"provider unavailable: {error}"]
    assert len(provider.history) == 1  # the SDK retried already; ask does not
    assert [e["event"] for e in log.entries] == ["request", cause]


def test_a_programming_error_in_grounding_propagates() -> None:
    def broken(answer: AdviceList) -> list[str]:
        raise KeyError("db")

    provider = ScriptedProvider().enqueue("database", GOOD)
    with pytest.raises(KeyError):
        ask(provider, step="database", system="sys", prompt="prompt", schema=AdviceList,
            shared_prefix="facts", grounding=broken, max_repairs=2, log=RunLog())


def test_zero_repairs_means_one_attempt() -> None:
    provider = ScriptedProvider().enqueue("database", "not json", GOOD)
    assert run(provider, RunLog(), max_repairs=0).status == "fallback"
    assert len(provider.history) == 1


def test_fenced_json_answer_is_accepted() -> None:
    provider = ScriptedProvider().enqueue("database", "```json\n" + json.dumps(GOOD) + "\n```")
    assert run(provider, RunLog()).status == "accepted"
