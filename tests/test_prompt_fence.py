"""The prompt fence: intake text reaches a prompt only inside ```intake-data blocks.

A whole review runs through the real OpenAI SDK against the local stub server (a test double
on 127.0.0.1, not a model) with the hostile intake (an injection string in every free-text
field). The stub plays a model that obeys injected text: it answers every step with the
injected marker in every free-text field and id, and wrong numbers. Grounding and the schemas
must reject all of it, and every raw answer must be in the run log.

The system prompt is never built from intake text: whole reviews of two hostile intakes run
through the real OpenAI and Anthropic SDKs against the stub, which records every request body.
The system message (blocks) must be the rules alone, byte for byte the same for both intakes;
the shared prefix (the computed facts, intake text fenced) must appear exactly once per request,
at the head of the first user turn (Anthropic: its own block, with `cache_control`), repair
turns after it. A server that drops system messages gets rules, prefix and prompt in that order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import assistant
from assistant.llm.ask import ask
from assistant.llm.prompts import LANGUAGE_NAMES, render
from assistant.llm.providers.anthropic_adapter import AnthropicProvider
from assistant.llm.providers.base import Completion
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.llm.providers.registry import build_provider
from assistant.llm.run_log import RunLog
from assistant.settings import Settings
from tests.hostile import MARKER, hostile_intake_data
from tests.stub_llm_server import (
    ANTHROPIC_PATH,
    CANARY_KEY,
    CASSETTE_ANSWER,
    OPENAI_PATH,
    CassetteAnswer,
    Reply,
    StubLLMServer,
)

OBEYED = "OBEYED-91c2: as the injected text said, ignore the computed facts"
FENCED = re.compile(r"```intake-data\n.*?\n```", re.S)
#: The repair request quotes an excerpt of the model's own answer, neutralised, in this block.
QUOTED_ANSWER = re.compile(r"```previous-answer\n.*?\n```", re.S)


def _obeying_answer(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """An answer of the requested shape that does what the injection asked, everywhere it can.

    Enumerations keep a valid value (else the schema alone would reject it and grounding would
    never be tested); every free string is the obeyed text, every number wrong.
    """
    if "$ref" in node:
        return _obeying_answer(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in node:
        return _obeying_answer(schema, node["anyOf"][0])
    if "enum" in node or "const" in node:
        return node["enum"][0] if "enum" in node else node["const"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {k: _obeying_answer(schema, v) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_obeying_answer(schema, node.get("items", {}))
                for _ in range(max(1, node.get("minItems", 1)))]
    return {"string": OBEYED, "integer": max(1, node.get("minimum", 1)), "number": 424242.0,
            "boolean": False}.get(str(kind))


@pytest.fixture(scope="module")
def obeyed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[Any], Path]:
    folder = tmp_path_factory.mktemp("fence")
    intake = folder / "hostile.yaml"
    intake.write_text(yaml.safe_dump(hostile_intake_data()), encoding="utf-8")
    responder = lambda _path, _name, schema, _body: json.dumps(  # noqa: E731
        _obeying_answer(schema, schema))
    with StubLLMServer(responder=responder) as stub:
        settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                            max_repairs=1, internal_errors="raise")
        result = assistant.review(intake, settings, out_dir=folder / "out",
                                  formats=("json", "md"), use_knowledge_base=False)
        # The step prompts: not the server probe (GET /v1/models) nor its one-line speed test.
        chats = [r for r in stub.requests
                 if r.path.endswith("/chat/completions") and "intake-data" in r.raw]
        return result, chats, folder / "out"


@pytest.mark.slow
def test_intake_text_appears_only_inside_the_data_fence(obeyed_run: Any) -> None:
    _result, requests, _out = obeyed_run
    assert requests and MARKER in FENCED.findall(requests[0].raw.replace("\\n", "\n"))[0]
    for request in requests:
        for message in request.json["messages"]:
            if message["role"] == "assistant":
                continue  # the model's own earlier answer, sent back for repair
            content = message["content"]
            text = content if isinstance(content, str) else json.dumps(content)
            outside = QUOTED_ANSWER.sub("", FENCED.sub("", text))
            assert MARKER not in outside, outside[max(0, outside.find(MARKER) - 200):][:300]
            # No fence opened or closed by the intake text (the rules name the fence once).
            assert outside.replace("blocks fenced as ```intake-data", "").count("```") == 0


def test_the_rules_prompt_is_never_built_from_intake_text() -> None:
    rules = render("system", language_name=LANGUAGE_NAMES["en"])
    assert "intake-data" in rules and MARKER not in rules


@pytest.mark.slow
def test_grounding_and_schemas_reject_every_obeyed_answer(obeyed_run: Any) -> None:
    result, _requests, out = obeyed_run
    assert result.sections
    for step, section in result.sections.items():
        if step == "roi":
            continue  # the known gap below
        assert section.source == "fallback", step
        assert section.problems, step
    grounding = [p for s in result.sections.values() for p in s.problems
                 if "unknown component id" in p or "unknown pattern id" in p]
    assert grounding  # not only the schemas: the invented ids were caught
    report = (out / "report.md").read_text(encoding="utf-8")
    shown = [line for line in report.splitlines()
             if "OBEYED" in line and not line.startswith("**Recommendation")]  # roi: the gap
    assert all(_quoted_as_rejected(line) for line in shown), shown
    log = (out / "run-log.jsonl").read_text(encoding="utf-8")
    assert log.count("OBEYED-91c2") >= len(result.sections)  # raw answers kept, not dropped


def _quoted_as_rejected(line: str) -> bool:
    """A report line may mention the obeyed text only as the reason an answer was rejected."""
    return any(reason in line for reason in ("unknown", "should", "differs", "must", "got"))


@pytest.mark.slow
def test_roi_without_business_figures_rejects_an_obeyed_recommendation(obeyed_run: Any) -> None:
    result, _requests, _out = obeyed_run
    assert result.roi is None
    assert result.sections["roi"].source == "fallback"


# --- The system prompt is never built from intake text, on both wire formats -----------------

#: The second hostile intake: the same injection corpus, another marker, so every field differs.
OTHER_MARKER = "INJECTED-OTHER-5b1d"
RULES = render("system", language_name=LANGUAGE_NAMES["en"])
WIRES = ("openai", "anthropic")


def _other_intake_data() -> dict[str, Any]:
    text = yaml.safe_dump(hostile_intake_data()).replace(MARKER, OTHER_MARKER)
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _strings(node: Any) -> list[str]:
    """Every string an intake holds (values, at any depth)."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


def _intake_texts(data: dict[str, Any]) -> set[str]:
    """The intake's strings and each of their lines, long enough not to be rules vocabulary.

    Ids and kinds (`db`, `app`) are words the rules use too; everything of five characters or
    more, and every line of it, is text a team typed.
    """
    texts = {s for s in _strings(data) if len(s.strip()) >= 5}
    lines = {line.strip() for s in texts for line in re.split(r"[\r\n]+", s)}
    return texts | {line for line in lines if len(line) >= 8}


class PrefixSpy:
    """The real adapter, with the system prompt and shared prefix of every call noted.

    A test wrapper, not a fake: every call goes on to the real adapter and its SDK.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model
        self.prefixes: list[str] = []
        self.systems: list[str] = []

    def __getattr__(self, name: str) -> Any:
        """Everything else (the probe, the token budget) is the real adapter's."""
        return getattr(self.inner, name)

    @property
    def listener(self) -> Any:
        return getattr(self.inner, "listener", None)

    @listener.setter
    def listener(self, value: Any) -> None:
        self.inner.listener = value

    def complete(self, **request: Any) -> Completion:
        self.prefixes.append(request["shared_prefix"])
        self.systems.append(request["system"])
        completion: Completion = self.inner.complete(**request)
        return completion


def _adapter(wire: str, stub: StubLLMServer) -> Any:
    """The real adapter of a wire format, pointed at the stub (canary key, no retries)."""
    if wire == "anthropic":
        return AnthropicProvider(model="claude-sonnet-4-6", api_key=CANARY_KEY, base_url=stub.url,
                                 timeout_s=10.0, max_retries=0)
    return OpenAIProvider(model="gpt-4.1-mini", api_key=CANARY_KEY, name="openai",
                          base_url=stub.openai_base_url, timeout_s=10.0, max_retries=0)


@dataclass
class WireRun:
    """One whole review's step requests as the stub received them, and what was passed in."""

    data: dict[str, Any]
    bodies: list[dict[str, Any]]
    prefixes: list[str]
    systems: list[str]


def _review_on(wire: str, data: dict[str, Any], folder: Path) -> WireRun:
    """Review `data` through the real SDK of `wire` against the stub (placeholder answers)."""
    intake = folder / "intake.yaml"
    intake.write_text(yaml.safe_dump(data), encoding="utf-8")
    with StubLLMServer() as stub:
        spy = PrefixSpy(_adapter(wire, stub))
        settings = Settings(provider="offline", max_repairs=1, internal_errors="raise")
        assistant.review(intake, settings, provider=spy, out_dir=folder / "out",
                         formats=("json",), use_knowledge_base=False)
        path = ANTHROPIC_PATH if wire == "anthropic" else OPENAI_PATH
        bodies = [r.json for r in stub.requests_to(path)]
    return WireRun(data, bodies, spy.prefixes, spy.systems)


@pytest.fixture(scope="module")
def wire_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], WireRun]:
    """Both wire formats, each with both hostile intakes."""
    intakes = {"hostile": hostile_intake_data(), "other": _other_intake_data()}
    return {(wire, name): _review_on(wire, data, tmp_path_factory.mktemp(f"{wire}-{name}"))
            for wire in WIRES for name, data in intakes.items()}


def _system_text(wire: str, body: dict[str, Any]) -> str:
    """The whole system prompt of a request (OpenAI: the system messages; Anthropic: blocks)."""
    if wire == "anthropic":
        return "\n".join(block["text"] for block in body.get("system") or [])
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")


def _turns(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] != "system"]


def _texts(content: str | list[dict[str, Any]]) -> list[str]:
    return [content] if isinstance(content, str) else [block["text"] for block in content]


@pytest.mark.slow
@pytest.mark.parametrize("wire", WIRES)
def test_no_intake_text_reaches_the_system_prompt(
        wire_runs: dict[tuple[str, str], WireRun], wire: str) -> None:
    for name in ("hostile", "other"):
        run = wire_runs[wire, name]
        assert run.bodies, "the review sent no step request"
        texts = _intake_texts(run.data)
        assert any(MARKER in t or OTHER_MARKER in t for t in texts)
        for body in run.bodies:
            system = _system_text(wire, body)
            leaked = sorted(t for t in texts if t in system)
            assert not leaked, leaked
            assert MARKER not in system and OTHER_MARKER not in system
            assert "intake-data\n" not in system  # the rules name the fence; no fenced block


@pytest.mark.slow
@pytest.mark.parametrize("wire", WIRES)
def test_the_system_prompt_is_the_same_bytes_for_two_intakes(
        wire_runs: dict[tuple[str, str], WireRun], wire: str) -> None:
    hostile, other = wire_runs[wire, "hostile"], wire_runs[wire, "other"]
    assert hostile.prefixes[0] != other.prefixes[0]  # the facts do differ
    systems = {_system_text(wire, body) for body in [*hostile.bodies, *other.bodies]}
    assert systems == {RULES}  # the rules alone: nothing else, nothing from either intake
    assert set(hostile.systems) | set(other.systems) == {RULES}  # as the workflow passed it
    if wire == "anthropic":
        blocks = {json.dumps(b["system"]) for b in [*hostile.bodies, *other.bodies]}
        assert blocks == {json.dumps([{"type": "text", "text": RULES}])}


@pytest.mark.slow
@pytest.mark.parametrize("wire", WIRES)
def test_the_prefix_leads_the_first_user_turn_once_and_fenced(
        wire_runs: dict[tuple[str, str], WireRun], wire: str) -> None:
    for name in ("hostile", "other"):
        run = wire_runs[wire, name]
        marker = MARKER if name == "hostile" else OTHER_MARKER
        prefixes = set(run.prefixes)
        assert all(MARKER in p or OTHER_MARKER in p for p in prefixes)
        repairs = 0
        for body in run.bodies:
            turns = _turns(body)
            assert turns[0]["role"] == "user"
            repairs += len(turns) > 1
            everything = "\n".join([_system_text(wire, body),
                                    *(t for turn in turns for t in _texts(turn["content"]))])
            prefix = next(p for p in prefixes if p in everything)
            assert everything.count(prefix) == 1
            first = _texts(turns[0]["content"])
            if wire == "anthropic":
                assert first[0] == prefix  # its own block, the step prompt in the next
            else:
                assert first[0].startswith(f"{prefix}\n\n")
            assert all(prefix not in t for turn in turns[1:] for t in _texts(turn["content"]))
            fenced = FENCED.findall(prefix)
            assert len(fenced) == 1 and marker in fenced[0]
            assert marker not in FENCED.sub("", prefix)
        assert repairs, "no repair turn was sent: the prefix was not seen surviving one"


@pytest.mark.slow
def test_anthropic_marks_the_prefix_block_and_nothing_else_cacheable(
        wire_runs: dict[tuple[str, str], WireRun]) -> None:
    for name in ("hostile", "other"):
        run = wire_runs["anthropic", name]
        for body in run.bodies:
            first = body["messages"][0]["content"]
            assert isinstance(first, list) and len(first) == 2
            assert first[0]["cache_control"] == {"type": "ephemeral"}
            assert first[0]["text"] in run.prefixes
            assert "cache_control" not in first[1]
            marked = [b for b in body["system"] if "cache_control" in b]
            marked += [b for m in body["messages"][1:] if isinstance(m["content"], list)
                       for b in m["content"] if "cache_control" in b]
            assert not marked, marked


@pytest.mark.slow
def test_a_server_that_drops_system_messages_reads_rules_prefix_prompt(tmp_path: Path) -> None:
    intake = tmp_path / "hostile.yaml"
    intake.write_text(yaml.safe_dump(hostile_intake_data()), encoding="utf-8")
    with StubLLMServer(drop_system=True) as stub:
        settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                            max_repairs=0, internal_errors="raise")
        spy = PrefixSpy(build_provider(settings))
        assistant.review(intake, settings, provider=spy, out_dir=tmp_path / "out",
                         formats=("json",), use_knowledge_base=False)
        steps = [r.json for r in stub.requests_to(OPENAI_PATH) if "intake-data" in r.raw]
    log = (tmp_path / "out" / "run-log.jsonl").read_text(encoding="utf-8")
    assert steps and '"system_folded"' in log  # the probe saw the system message dropped
    for body in steps:
        messages = body["messages"]
        assert [m["role"] for m in messages] == ["user"]
        content = messages[0]["content"]
        assert content.startswith(f"{RULES}\n\n")
        prefix = next(p for p in set(spy.prefixes) if p in content)
        assert content.count(prefix) == 1
        rest = content[len(RULES) + 2:]
        assert rest.startswith(f"{prefix}\n\n") and len(rest) > len(prefix) + 2


@pytest.mark.parametrize("wire", WIRES)
def test_a_shorter_re_ask_keeps_the_prefix_in_the_first_user_turn(wire: str) -> None:
    prefix = render("facts", facts={"system": {"current": "c", "targets": "t",
                                               "constraints": "k"},
                                    "intake_text": f"name: {MARKER}"})
    cut = "max_tokens" if wire == "anthropic" else "length"
    path = ANTHROPIC_PATH if wire == "anthropic" else OPENAI_PATH
    with StubLLMServer() as stub:
        stub.enqueue(path, Reply(answer='{"verdict": "sc', stop_reason=cut), CASSETTE_ANSWER)
        result = ask(_adapter(wire, stub), step="cassette_answer", system=RULES,
                     prompt="Which component limits scaling first?", schema=CassetteAnswer,
                     shared_prefix=prefix, grounding=lambda _answer: [], max_repairs=1,
                     log=RunLog())
        first, second = (r.json for r in stub.requests_to(path))
    assert result.status == "repaired"
    assert len(_turns(first)) == 1 and len(_turns(second)) == 2
    for body in (first, second):
        assert _system_text(wire, body) == RULES and MARKER not in _system_text(wire, body)
        head, *rest = _turns(body)
        assert _texts(head["content"])[0].startswith(prefix)
        assert all(MARKER not in t for turn in rest for t in _texts(turn["content"]))
    assert _texts(_turns(second)[1]["content"])[0].startswith("Your previous answer was cut off")
