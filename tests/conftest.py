"""Shared fixtures: a network guard, a fixed clock, and the repository's paths."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXED_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    """Allow loopback and Unix sockets only: tests never reach a real network."""
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in {"127.0.0.1", "::1", "localhost"}:
        raise RuntimeError(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("ARCHREVIEW_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    _isolate_settings(monkeypatch)


def _isolate_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No run setting leaks in from the shell; a programming error in a step raises.

    In production a crashing step falls back (labelled internal error); under tests it must fail
    the test instead of hiding behind the offline section.
    """
    from assistant.settings import Settings, env_variable

    for field in Settings.model_fields:
        monkeypatch.delenv(env_variable(field), raising=False)
    monkeypatch.setenv("ARCHREVIEW_INTERNAL_ERRORS", "raise")


@pytest.fixture
def fixed_clock() -> object:
    return lambda: FIXED_TIME


@pytest.fixture
def stub_server() -> object:
    """A stub LLM server on 127.0.0.1 (random port) speaking the OpenAI and Anthropic formats."""
    from tests.stub_llm_server import StubLLMServer

    with StubLLMServer() as server:
        yield server
