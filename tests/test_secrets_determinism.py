"""A canary key in the environment never surfaces; the same inputs give byte-identical JSON.

The canary is set for every provider variable while the CLI flows run (validate, offline
review in every format, an LLM review through the real OpenAI SDK against the local stub
server, a provider that fails, a step that crashes with its traceback logged, a resumable run
with its SQLite checkpoints). Then stdout, stderr, log records and every byte written under the
output folder are scanned, and the committed cassettes are scanned for anything key-shaped.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import assistant
from assistant.cli.app import app
from assistant.settings import KEY_VARIABLES, Settings
from tests.conftest import EXAMPLES, FIXED_TIME, ROOT
from tests.stub_llm_server import Reply, StubLLMServer
from tests.test_errors import _answers

CANARY = "sk-canary-13-DO-NOT-LEAK-9f8e7d6c5b4a"
ECOMMERCE = EXAMPLES / "ecommerce-workshop.yaml"
runner = CliRunner()
KEY_SHAPED = re.compile(r"sk-(ant-)?[A-Za-z0-9_-]{16,}|Bearer\s+[A-Za-z0-9._-]{12,}")


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in KEY_VARIABLES.values():
        monkeypatch.setenv(variable, CANARY)


def _scan_folder(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]


def _invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert CANARY not in result.output, args
    assert CANARY not in (result.stderr or ""), args
    return result


@pytest.mark.slow
def test_the_canary_key_appears_nowhere(canary_env: None, tmp_path: Path,
                                        caplog: pytest.LogCaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    assert _invoke("validate", str(ECOMMERCE), str(EXAMPLES / "broken-intake.yaml")).exit_code == 1
    offline = _invoke("review", str(ECOMMERCE), "--out", str(out / "offline"), "--provider",
                      "offline", "--format", "md,json,html")
    assert offline.exit_code == 0, offline.output
    answers = _answers()
    with StubLLMServer(responder=lambda _p, name, _s, _b: answers[name]) as stub:
        llm = _invoke("review", str(ECOMMERCE), "--out", str(out / "llm"), "--provider",
                      "openai-compatible", "--base-url", stub.openai_base_url, "--resume")
        assert llm.exit_code == 0, llm.output
        assert any(r.headers.get("authorization") == f"Bearer {CANARY}" for r in stub.requests)
    with StubLLMServer() as failing:
        failing.enqueue("/v1/chat/completions", *[Reply.error(401, "invalid api key")] * 20)
        _invoke("review", str(ECOMMERCE), "--out", str(out / "failing"), "--provider",
                "openai-compatible", "--base-url", failing.openai_base_url)
    monkeypatch.setenv("ARCHREVIEW_INTERNAL_ERRORS", "fallback")
    monkeypatch.setattr("assistant.llm.grounding.check_bottlenecks",
                        lambda *_a: (_ for _ in ()).throw(KeyError("injected crash")))
    with StubLLMServer(responder=lambda _p, name, _s, _b: answers[name]) as stub:
        crashed = _invoke("review", str(ECOMMERCE), "--out", str(out / "crash"), "--provider",
                          "openai-compatible", "--base-url", stub.openai_base_url)
    assert crashed.exit_code == 1
    assert "Traceback" in (out / "crash" / ECOMMERCE.stem / "run-log.jsonl").read_text()
    assert (out / "llm" / ECOMMERCE.stem / "checkpoints.sqlite").exists()
    assert _scan_folder(out) == []
    assert not [r for r in caplog.records if CANARY in r.getMessage()]


def test_committed_cassettes_hold_nothing_key_shaped() -> None:
    cassettes = sorted((ROOT / "tests" / "cassettes").glob("*.yaml"))
    assert cassettes
    for path in cassettes:
        text = path.read_text(encoding="utf-8")
        assert not KEY_SHAPED.findall(text), path
        headers = re.findall(r"^\s+(authorization|x-api-key|cookie|set-cookie):", text,
                             re.M | re.I)
        assert headers == [], (path, headers)


def test_key_shaped_scan_can_fail() -> None:
    assert KEY_SHAPED.search(f"authorization: Bearer {CANARY}")
    assert KEY_SHAPED.search("x-api-key: sk-ant-api03-abcdefghijklmnopqrstuv")  # a fake key shape


def _json_report(folder: Path, settings: Settings) -> bytes:
    assistant.review(ECOMMERCE, settings, out_dir=folder, formats=("json",),
                     clock=lambda: FIXED_TIME, use_knowledge_base=False)
    return (folder / "report.json").read_bytes()


def test_offline_json_report_is_byte_identical(tmp_path: Path) -> None:
    settings = Settings()
    first = _json_report(tmp_path / "a", settings)
    assert first == _json_report(tmp_path / "b", settings)
    assert json.loads(first)["mode"] == "offline"


@pytest.mark.slow
def test_llm_json_report_is_byte_identical_for_the_same_answers(tmp_path: Path) -> None:
    answers = _answers()
    reports = []
    for run in ("a", "b"):
        with StubLLMServer(responder=lambda _p, name, _s, _b: answers[name]) as stub:
            settings = Settings(provider="openai-compatible", base_url=stub.openai_base_url,
                                internal_errors="raise")
            reports.append(_json_report(tmp_path / run, settings))
    assert reports[0] == reports[1]
    assert json.loads(reports[0])["mode"] == "llm"
