"""Streamed answers from a local server: a request the review stops waiting for stops the server.

Against the local stub (`tests/stub_llm_server.py`) through the real openai SDK: `slots=1` is a
one-slot server (llama-cpp-python), `token_delay_s` its writing pace, and `streams_cut` counts the
streams a client closed before their last chunk (the stub, like llama-cpp-python's server, stops
writing then).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from assistant.assessment.sections import AdviceList
from assistant.llm.ask import ask
from assistant.llm.providers.formats import ModeCache
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.llm.run_log import RunLog
from assistant.settings import Settings
from tests.stub_llm_server import OPENAI_PATH, StubLLMServer

#: A valid answer of the database step, and a long one: about 500 chunks, 25 s at 50 ms each.
SHORT = json.dumps({"summary": "Index the orders table.", "advice": [{
    "title": "Add an index", "component_ids": ["db"], "pattern_ids": ["read-replicas"],
    "priority": "now", "impact": "high", "effort": "low", "detail": "Index orders by user."}]})
LONG = json.dumps({"summary": "y" * 1100, "advice": [{
    "title": "x" * 100, "component_ids": ["db"], "pattern_ids": ["read-replicas"],
    "priority": "now", "impact": "high", "effort": "low", "detail": "z" * 790}]})


def local(stub: StubLLMServer, **kwargs: Any) -> OpenAIProvider:
    options: dict[str, Any] = {
        "model": "gemma", "api_key": "not-needed", "name": "openai-compatible",
        "base_url": stub.openai_base_url, "max_retries": 0, "timeout_s": 30.0,
        "response_format": "json_object_schema", "cache": ModeCache(None)} | kwargs
    return OpenAIProvider(**options)


def ask_advice(provider: OpenAIProvider, *, timeout_s: float,
               cancel: threading.Event | None = None) -> Any:
    return ask(provider, step="database", system="Advise.", prompt="Advise on the database.",
               schema=AdviceList, shared_prefix="", grounding=lambda _: [], max_repairs=0,
               log=RunLog(), step_timeout_s=timeout_s, cancel=cancel)


def wait_for(condition: Any, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_local_server_is_streamed_and_the_answer_is_joined_and_timed() -> None:
    with StubLLMServer(token_delay_s=0.002, stream_usage=False) as stub:
        stub.enqueue(OPENAI_PATH, SHORT)
        provider = local(stub)
        completion = provider.complete(system="Advise.", schema=AdviceList,
                                       messages=[{"role": "user", "content": "Advise."}],
                                       schema_name="database")
    sent = stub.requests_to(OPENAI_PATH)[0].json
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert completion.text == SHORT and completion.stop_reason == "stop"
    # no usage in the stream (llama-cpp-python sends none): the chunks are counted
    chunks = -(-len(SHORT) // 4)  # the stub's chunks are 4 characters
    assert completion.output_tokens == completion.extra["content_chunks"] == chunks
    assert completion.extra["streamed"] is True and completion.extra["first_token_s"] >= 0


def test_a_remote_server_is_not_streamed_unless_asked() -> None:
    assert not Settings(provider="openai-compatible", base_url="https://llm.example/v1").streams
    assert Settings(provider="openai-compatible", base_url="http://127.0.0.1:8089/v1").streams
    assert not Settings(provider="openai-compatible", base_url="http://localhost:1/v1",
                        stream="off").streams


def test_a_timed_out_step_frees_a_one_slot_server_for_the_next_one() -> None:
    with StubLLMServer(slots=1, token_delay_s=0.05) as stub:
        stub.enqueue(OPENAI_PATH, LONG, SHORT)
        provider = local(stub)
        first = ask_advice(provider, timeout_s=1.0)
        assert first.cause == "timed_out"
        # the abandoned stream is closed at its next chunk, and the server stops writing
        assert wait_for(lambda: stub.streams_cut == 1, 2.0), stub.streams_cut
        started = time.monotonic()
        second = ask_advice(provider, timeout_s=15.0)
        waited = time.monotonic() - started
    assert second.status == "accepted"
    # its own answer's time, not queued behind the ~25 s the first would still have taken
    own = len(SHORT) / 4 * 0.05
    assert waited < own + 2.0, (waited, own)


def test_ctrl_c_cuts_the_stream_in_flight() -> None:
    cancel = threading.Event()
    with StubLLMServer(token_delay_s=0.05) as stub:
        stub.enqueue(OPENAI_PATH, LONG)
        provider = local(stub)
        threading.Timer(0.5, cancel.set).start()
        try:
            ask_advice(provider, timeout_s=60.0, cancel=cancel)
        except Exception as error:  # ReviewCancelled
            assert type(error).__name__ == "ReviewCancelled"
        assert wait_for(lambda: stub.streams_cut == 1, 2.0), stub.streams_cut


def test_a_streamed_answer_teaches_the_budget_both_speeds() -> None:
    with StubLLMServer(token_delay_s=0.01, delay_s=0.3) as stub:
        stub.enqueue(OPENAI_PATH, LONG)
        provider = local(stub)
        provider.complete(system="Advise. " * 200, schema=AdviceList,
                          messages=[{"role": "user", "content": "Advise."}],
                          schema_name="database")
        sent = stub.requests_to(OPENAI_PATH)[0].json["messages"]
    budget = provider.budget
    assert budget.speed_source == "measured" and budget.answer_tokens_per_s is not None
    # about 100 chunks per second at the stub's pace (a chunk per 10 ms plus the writes)
    assert 30 < budget.answer_tokens_per_s < 110
    # the first chunk came after the stub's 0.3 s: the prompt was read at most that fast
    prompt_tokens = budget.estimate(sum(len(m["role"]) + len(m["content"]) + 2 for m in sent))
    assert budget.prompt_tokens_per_s is not None
    assert budget.prompt_tokens_per_s <= prompt_tokens / 0.3


def test_a_step_that_timed_out_still_teaches_the_next_one_the_servers_speed() -> None:
    with StubLLMServer(token_delay_s=0.02, delay_s=0.4) as stub:
        stub.enqueue(OPENAI_PATH, LONG)
        provider = local(stub)
        assert provider.budget.answer_tokens_per_s is None
        # 0.4 s to the first token, then 50 chunks a second: 2.5 s is well into the answer
        result = ask_advice(provider, timeout_s=2.5)
        assert result.cause == "timed_out"
        assert wait_for(lambda: provider.budget.answer_tokens_per_s is not None, 2.0)
    budget = provider.budget
    assert budget.speed_source == "measured"
    assert 20 < (budget.answer_tokens_per_s or 0) < 60
    assert budget.prompt_tokens_per_s is not None
