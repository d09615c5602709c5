"""A CPU model server as it is: slow, and (llama-cpp-python's gemma format) deaf to system messages.

Against the local stub (`tests/stub_llm_server.py`): `drop_system=True` counts prompts without
their system messages, as llama-cpp-python's `--chat_format gemma` reads them; `delay_s` makes
the speed probe's answer late.
"""

from __future__ import annotations

import json

from assistant.assessment.sections import AdviceList
from assistant.llm.ask import sized_step_timeout
from assistant.llm.providers.context import (
    CONSTRAINED_SLOWDOWN,
    PROMPT_SPEEDUP,
    TYPICAL_ANSWER_TOKENS,
    TokenBudget,
)
from assistant.llm.providers.formats import ModeCache
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.llm.run_log import RunLog
from tests.stub_llm_server import OPENAI_PATH, StubLLMServer

SYSTEM = "The computed facts of the review, which the model must read. " * 40
ANSWER = json.dumps({"advice": []})


def local(stub: StubLLMServer) -> OpenAIProvider:
    return OpenAIProvider(model="gemma", api_key="not-needed", name="openai-compatible",
                          base_url=stub.openai_base_url, max_retries=0, timeout_s=10.0,
                          response_format="json_object_schema", cache=ModeCache(None))


def chat_posts(stub: StubLLMServer) -> list[list[dict[str, str]]]:
    return [r.json["messages"] for r in stub.requests if r.path == OPENAI_PATH]


def ask_once(provider: OpenAIProvider) -> object:
    return provider.complete(system=SYSTEM, messages=[{"role": "user", "content": "Advise."}],
                             schema=AdviceList, schema_name="database")


def test_the_probe_finds_a_server_that_drops_system_messages_and_the_text_moves() -> None:
    with StubLLMServer(drop_system=True) as stub:
        provider = local(stub)
        probe = provider.probe()
        stub.enqueue(OPENAI_PATH, ANSWER)
        ask_once(provider)
    assert probe.system_folded and "ignores system messages" in probe.summary("gemma")
    sent = chat_posts(stub)[-1]
    assert [m["role"] for m in sent] == ["user"] and sent[0]["content"].startswith(SYSTEM)


def test_a_dropped_system_message_seen_on_an_answer_is_asked_again_folded() -> None:
    with StubLLMServer(drop_system=True) as stub:
        provider = local(stub)
        stub.enqueue(OPENAI_PATH, ANSWER, ANSWER)
        completion = ask_once(provider)
    first, second = chat_posts(stub)
    assert first[0]["role"] == "system" and [m["role"] for m in second] == ["user"]
    assert completion.extra["system_folded"] is True  # type: ignore[attr-defined]


def test_a_server_that_reads_system_messages_keeps_them() -> None:
    with StubLLMServer() as stub:
        provider = local(stub)
        probe = provider.probe()
        stub.enqueue(OPENAI_PATH, ANSWER)
        ask_once(provider)
    assert not probe.system_folded
    assert chat_posts(stub)[-1][0]["role"] == "system" and len(chat_posts(stub)) == 2


def test_a_speed_probe_that_does_not_answer_in_time_gives_an_upper_bound() -> None:
    with StubLLMServer(delay_s=1.5) as stub:
        provider = local(stub)
        probe = provider.probe(timeout_s=5.0, speed_timeout_s=0.5)
    assert probe.speed_source == "probe timed out: at most"
    assert probe.tokens_per_s == 32 / 0.5  # the probe's 32 tokens did not come in 0.5 s


def test_a_slow_servers_step_deadline_is_raised_to_what_one_answer_needs() -> None:
    with StubLLMServer() as stub:
        provider = local(stub)
    provider.budget.tokens_per_s, provider.budget.speed_source = 2.0, "probe"
    log = RunLog()
    raised = sized_step_timeout(provider, "roadmap", 90.0, log, chars=9000)
    # the probe's plain-text speed, slowed for a schema-constrained answer of typical length
    needed = (provider.budget.estimate(9000) / (2.0 * PROMPT_SPEEDUP)
              + TYPICAL_ANSWER_TOKENS / (2.0 / CONSTRAINED_SLOWDOWN))
    assert raised is not None and raised > needed > 90.0
    assert log.entries[-1]["event"] == "deadline_sized"
    provider.budget.speed_source = "assumed"  # never from the assumption
    assert sized_step_timeout(provider, "roadmap", 90.0, RunLog(), chars=9000) == 90.0


def test_a_measured_answer_speed_replaces_the_probes_figure() -> None:
    budget = TokenBudget(8192, "assumed", tokens_per_s=33.6, speed_source="probe")
    assert budget.writing_speed() == 33.6 / CONSTRAINED_SLOWDOWN
    budget.constrained = False
    assert budget.writing_speed() == 33.6  # plain text: the probe's own figure
    # not streamed: the answer's time less the prompt's reading time at the probe's speed
    budget.learn_speed(2000, 200, 100.0)
    reading_s = 2000 / (33.6 * PROMPT_SPEEDUP)
    assert budget.answer_tokens_per_s == 200 / (100.0 - reading_s)
    assert budget.speed_source == "measured"
    budget.learn(9000, 15)  # a count far off any tokenizer is no calibration
    assert not budget.calibrated


def test_a_streamed_answer_times_reading_and_writing_apart() -> None:
    # gemma-3-270m on llama-cpp-python, 2 cores: 3,794 prompt tokens read in 20.7 s, then
    # 784 tokens written under the grammar in 76.4 s
    budget = TokenBudget(8192, "assumed", tokens_per_s=33.6, speed_source="probe")
    budget.learn_stream(3794, 20.7, 784, 76.4)
    assert round(budget.reading_speed() or 0) == 183
    assert round(budget.writing_speed() or 0, 1) == 10.2
    # a deadline sized from these holds the answer the model wrote
    assert (budget.seconds_for(int(3794 * budget.chars_per_token), 784) or 0) > 96
    budget.learn_stream(100, 0.5, 20, 1.0)  # too short to time: nothing changes
    assert round(budget.reading_speed() or 0) == 183
