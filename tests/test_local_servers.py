"""The LLM path against servers that behave like llama-cpp-python, vLLM and one-slot servers.

Every server here is the local stub (`tests/stub_llm_server.py`) switched into one behaviour of
a real server (its refusal wording taken from llama-cpp-python 0.3.36 itself); the recordings
of the real server are replayed in `test_recorded_llama_cpp.py`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.assessment.sections import AdviceList
from assistant.llm.ask import ask
from assistant.llm.providers.base import ProviderError
from assistant.llm.providers.context import TokenBudget
from assistant.llm.providers.formats import ModeCache, refused_format
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.llm.run_log import RunLog
from assistant.settings import Settings
from assistant.workflow.run import run_workflow
from tests.conftest import EXAMPLES, FIXED_TIME, ROOT
from tests.stub_llm_server import (
    CASSETTE_ANSWER,
    OPENAI_PATH,
    CassetteAnswer,
    Reply,
    StubLLMServer,
    run_scenario,
)

ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"


def compatible(stub: StubLLMServer, **kwargs: Any) -> OpenAIProvider:
    options: dict[str, Any] = {"model": "gemma", "api_key": "not-needed",
                               "name": "openai-compatible", "base_url": stub.openai_base_url,
                               "timeout_s": 5.0, "max_retries": 2,
                               "response_format": "auto"} | kwargs
    return OpenAIProvider(**options)


def posts(stub: StubLLMServer) -> list[Any]:
    return stub.requests_to(OPENAI_PATH)


# --- part 1: a refused response format, whatever the status --------------------------------


def test_llama_cpp_500_refusal_steps_down_at_once_and_is_remembered(tmp_path: Path) -> None:
    cache = ModeCache(tmp_path / "servers.json")
    notes: list[dict[str, Any]] = []
    with StubLLMServer(refuse_formats=("json_schema",)) as stub:
        stub.enqueue(OPENAI_PATH, CASSETTE_ANSWER, CASSETTE_ANSWER)
        provider = compatible(stub, cache=cache)
        provider.listener = lambda **entry: notes.append(entry)
        completion = run_scenario(provider)
        kinds = [(r.json.get("response_format") or {}).get("type") for r in posts(stub)]
        # One refused request (the SDK did not retry the 500), then JSON with the schema.
        assert kinds == ["json_schema", "json_object"]
        assert posts(stub)[1].json["response_format"]["schema"]["title"] == "CassetteAnswer"
        assert completion.extra["format_switches"] == ["json_schema -> json_object_schema"]
        assert [n["event"] for n in notes] == ["format_refused", "format_confirmed"]
        assert notes[0]["status"] == 500 and notes[0]["matched"] == "llama-cpp-python"
        # A new run against the same server starts on the rung that worked.
        again = compatible(stub, cache=cache)
        assert again.response_format == "json_object_schema"
        run_scenario(again)
        assert len(posts(stub)) == 3


def test_the_ladder_goes_down_to_plain_text_with_the_schema_in_the_prompt() -> None:
    with StubLLMServer(refuse_formats=("json_schema", "json_object")) as stub:
        stub.enqueue(OPENAI_PATH, CASSETTE_ANSWER)
        completion = run_scenario(compatible(stub))
        last = posts(stub)[-1].json
    assert completion.extra["response_format"] == "text"
    assert "response_format" not in last
    assert "JSON Schema" in last["messages"][0]["content"]
    assert len(posts(stub)) == 4  # json_schema, json_object + schema, json_object, text


def test_a_refused_explicit_format_fails_labelled_refused_format() -> None:
    with StubLLMServer(refuse_formats=("json_schema",)) as stub:
        provider = compatible(stub, response_format="json_schema")
        result = ask(provider, step="database", system="s", prompt="p", schema=AdviceList,
                     shared_prefix="", grounding=lambda a: [], max_repairs=2, log=RunLog())
    assert result.cause == "format_refused" and len(posts(stub)) == 1


@pytest.mark.parametrize(("status", "message", "server"), [
    (500, "Input should be 'text' or 'json_object'", "llama-cpp-python"),
    (400, "'response_format.type' must be 'json_schema' or 'text'", "lm-studio"),
    (400, "The provided JSON schema contains features not supported by xgrammar.", "vllm"),
    # the wordings below are quoted from the servers' source (see formats.REFUSALS)
    (400, "Failed to transform json schema into a grammar: unsupported keyword", "vllm"),
    (400, "Grammar error: unknown rule", "vllm"),
    (500, 'invalid format: "yaml"; expected "json" or a valid JSON Schema object', "ollama"),
    (500, "response_format type must be one of \"text\" or \"json_object\", but got: "
          "json_schema", "llama.cpp"),
    (400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported",
     "generic"),
    (503, "response_format overloaded", None),  # an outage is never a refusal
    (400, "temperature must be at most 1", None),
])
def test_refusal_detection_table(status: int, message: str, server: str | None) -> None:
    assert refused_format(status, message) == server


# --- part 2: within the context -------------------------------------------------------------


def test_max_tokens_is_sized_to_what_the_context_leaves() -> None:
    budget = TokenBudget(8192, "assumed")
    prompt_chars = 4600 * 3.4  # a 4,600-token prompt, as the issue measured
    tokens = budget.answer_tokens(int(prompt_chars), 4096)
    assert 4600 + tokens < 8192 * 0.95
    with pytest.raises(Exception, match="leaves"):
        budget.answer_tokens(8000 * 4, 4096)


def test_the_estimate_calibrates_from_the_servers_count() -> None:
    budget = TokenBudget(8192, "assumed")
    budget.learn(10_000, 4000)
    assert budget.chars_per_token == 2.5 and budget.estimate(10_000) == 4001


def test_the_probe_reads_a_reported_context_and_requests_fit_it() -> None:
    with StubLLMServer(context_tokens=4096, report_context=True, models=("gemma",)) as stub:
        stub.enqueue(OPENAI_PATH, CASSETTE_ANSWER)
        provider = compatible(stub, max_tokens=8000)
        probe = provider.probe()
        run_scenario(provider)
        sent = posts(stub)[-1].json["max_tokens"]
    assert probe.reachable and probe.models == ["gemma"] and probe.context_tokens == 4096
    assert "4096-token context" in probe.summary("gemma")
    assert provider.context_tokens == 4096 and sent < 4096


def test_an_overflow_message_teaches_the_context_and_the_request_is_resent() -> None:
    with StubLLMServer(context_tokens=100) as stub:
        stub.enqueue(OPENAI_PATH, CASSETTE_ANSWER)
        provider = compatible(stub, context_tokens=100_000)
        provider.budget.source = "assumed"
        with pytest.raises(ProviderError) as caught:
            run_scenario(provider)
    assert provider.context_tokens == 100
    assert caught.value.cause == "context"  # after learning it, the prompt does not fit


def test_an_answer_cut_at_the_context_is_asked_again_shorter() -> None:
    long_answer = CassetteAnswer(verdict="scale-out", reason="x" * 280,
                                 component_ids=["c2"]).model_dump_json()
    with StubLLMServer(context_tokens=8192) as stub:
        stub.enqueue(OPENAI_PATH, Reply(answer=long_answer, stop_reason="length"),
                     CASSETTE_ANSWER)
        provider = compatible(stub, response_format="json_schema")
        log = RunLog()
        result = ask(provider, step="cassette", system="s", prompt="p", schema=CassetteAnswer,
                     shared_prefix="", grounding=lambda a: [], max_repairs=1, log=log)
        second = posts(stub)[1].json["messages"]
    assert result.status == "repaired"
    assert "cut off at the token limit" in second[-1]["content"]
    assert long_answer not in second[-1]["content"]
    assert "truncated" in [e["event"] for e in log.entries]


# --- part 3: bounded and stoppable ----------------------------------------------------------


def test_a_server_that_never_answers_ends_within_the_review_deadline(tmp_path: Path) -> None:
    with StubLLMServer(delay_s=60) as stub:
        settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                            step_timeout_s=30, review_timeout_s=2.0, model="gemma")
        from assistant.llm.providers.registry import build_provider

        stamps: list[tuple[float, str]] = []
        start = time.monotonic()
        review = run_workflow(ECOMMERCE, settings, out_dir=tmp_path,
                              provider=build_provider(settings), clock=lambda: FIXED_TIME,
                              progress=lambda e: stamps.append((time.monotonic(),
                                                                str(e["event"]))))
        time.sleep(0.3)
        sent = len(posts(stub))
    # The review deadline bounds the wait on the model (probe included); rendering the
    # reports afterwards is not waiting and is not counted.
    waited = max(t for t, event in stamps if event == "timed_out") - start
    assert waited < 2.0 + 1.5, waited
    causes = {s.cause for s in review.sections.values()}
    assert causes == {"timed_out"}
    # each step had its fair share of the review's time left, the last one all of it
    assert all("review's deadline" in s.problems[0] for s in review.sections.values())
    assert any("its share of the review's deadline, 1/" in s.problems[0]
               for s in review.sections.values())
    assert review.mode == "offline" and review.provenance.llm_unavailable == "timed_out"
    # concurrency 1 on a local server; one request per step (and the speed probe's), none
    # re-sent by the SDK
    assert sent <= len(review.sections) + 1, sent
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "LLM unavailable: timed out" in report and "timed out after" in report


def test_a_one_slot_server_is_not_flooded(tmp_path: Path) -> None:
    from tests.test_graph import good_provider

    answers = good_provider().defaults

    def respond(path: str, name: str, schema: dict[str, Any], body: dict[str, Any]) -> str:
        import json

        value = answers[name]
        return value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value)

    with StubLLMServer(slots=1, delay_s=0.05, responder=respond) as stub:
        settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                            response_format="json_schema")
        assert settings.parallel_requests == 1
        from assistant.llm.providers.registry import build_provider

        review = run_workflow(ECOMMERCE, settings, out_dir=tmp_path,
                              provider=build_provider(settings), clock=lambda: FIXED_TIME)
    assert stub.queued_max == 0
    assert review.mode == "llm" and review.provenance.llm_sections_answered >= 5


def test_ctrl_c_ends_a_review_with_a_request_in_flight_within_5_s(tmp_path: Path) -> None:
    with StubLLMServer(delay_s=120) as stub:
        env = {**os.environ, "ARCHREVIEW_INTERNAL_ERRORS": "fallback", "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "assistant", "review", str(ECOMMERCE), "--out",
                   str(tmp_path), "--provider", "openai-compatible", "--base-url",
                   stub.openai_base_url, "--model", "gemma"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while not posts(stub) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert posts(stub), "the review never reached the server"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    assert elapsed < 5, (elapsed, output)
    assert process.returncode == 130, output
    assert "interrupted" in output
    assert not (tmp_path / "ecommerce-workshop" / "report.md").exists()


def test_a_busy_server_that_does_not_list_its_models_in_time_is_still_asked() -> None:
    # llama-cpp-python serves /v1/models only between completions: busy, not gone
    with StubLLMServer(models_delay_s=3.0) as stub:
        provider = compatible(stub, max_retries=0)
        probe = provider.probe(timeout_s=0.5, speed_timeout_s=5.0)
        stub.enqueue(OPENAI_PATH, CASSETTE_ANSWER)
        completion = run_scenario(provider)
    assert probe.reachable and "no answer to /models within 0.5 s" in probe.summary("gemma")
    assert completion.text == CASSETTE_ANSWER
