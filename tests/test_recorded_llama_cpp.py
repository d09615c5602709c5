"""Replay the cassette recorded against a real llama-cpp-python server (see its label file).

Unlike the other cassettes (synthetic, recorded against the stub), `llama_cpp_local.yaml` holds
the real server's HTTP 500 refusal of `json_schema` and a real answer of the small gemma-3
model, recorded through the openai SDK by `make record-local`.
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from pydantic import ValidationError

from scripts.record_local import CASSETTE, local_provider
from tests.stub_llm_server import CASSETTES, REPLAY_HOST, CassetteAnswer, cassette_vcr, run_scenario


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise RuntimeError(f"replay must not open a socket: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_real_servers_refusal_and_answer_replay(no_sockets: None) -> None:
    label = json.loads((CASSETTES / f"{CASSETTE}.label.json").read_text(encoding="utf-8"))
    assert label["what"].startswith("REAL") and "llama-cpp-python" in label["server"]
    provider = local_provider(f"{REPLAY_HOST}/v1")
    with cassette_vcr().use_cassette(f"{CASSETTE}.yaml") as cassette:
        completion = run_scenario(provider)
    assert cassette.all_played and cassette.play_count == 2
    first, second = cassette.responses
    assert first["status"]["code"] == 500
    body = first["body"]["string"]
    text = body.decode() if isinstance(body, bytes) else body
    assert "Input should be 'text' or 'json_object'" in text
    assert completion.extra["format_switches"] == ["json_schema -> json_object_schema"]
    assert provider.response_format == "json_object_schema"
    assert completion.text == label["answer"]
    # this recording's answer ran to the token limit (a raw newline inside a string, then a
    # list of invented ids): validation rejects it, as `llm/ask.py` does before any repair
    assert completion.stop_reason == "length"
    assert completion.output_tokens == completion.extra["max_tokens"] == 512
    with pytest.raises(ValidationError):
        CassetteAnswer.model_validate_json(completion.text)
