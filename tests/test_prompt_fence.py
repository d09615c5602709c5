"""The prompt fence: intake text reaches a prompt only inside ```intake-data blocks.

A whole review runs through the real OpenAI SDK against the local stub server (a test double
on 127.0.0.1, not a model) with the hostile intake (an injection string in every free-text
field). The stub plays a model that obeys injected text: it answers every step with the
injected marker in every free-text field and id, and wrong numbers. Grounding and the schemas
must reject all of it, and every raw answer must be in the run log.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import assistant
from assistant.llm.prompts import LANGUAGE_NAMES, render
from assistant.settings import Settings
from tests.hostile import MARKER, hostile_intake_data
from tests.stub_llm_server import StubLLMServer

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
