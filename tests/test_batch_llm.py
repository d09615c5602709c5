"""An LLM batch: threads share one provider, and a one-slot local server is never flooded.

The stub server (tests/stub_llm_server.py, 127.0.0.1) answers with the offline analyzer's
grounded sections for the e-commerce example, so both copies of it get model-written sections.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli.app import app
from tests.conftest import EXAMPLES
from tests.stub_llm_server import OPENAI_PATH, StubLLMServer

runner = CliRunner()


@pytest.mark.slow
def test_llm_batch_with_two_jobs_keeps_a_one_slot_server_to_one_request(
        tmp_path: Path) -> None:
    from tests.test_graph import good_provider

    answers = good_provider().defaults

    def respond(path: str, name: str, schema: dict[str, Any], body: dict[str, Any]) -> str:
        value = answers[name]
        return value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value)

    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(EXAMPLES / "ecommerce-workshop.yaml", inputs / name)
    out = tmp_path / "out"
    with StubLLMServer(slots=1, delay_s=0.02, responder=respond) as stub:
        result = runner.invoke(app, [
            "batch", str(inputs), "--out", str(out), "--jobs", "2", "--format", "json",
            "--provider", "openai-compatible", "--base-url", stub.openai_base_url])
        posts = stub.requests_to(OPENAI_PATH)
    assert result.exit_code == 0, result.output
    assert "llm, threads: 1 at once" in result.stdout
    assert stub.queued_max == 0  # --concurrency defaults to 1 for a local server
    assert len(posts) >= 10
    for name in ("a", "b"):
        report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        assert report["mode"] == "llm" and report["provenance"]["llm_sections_answered"] >= 5
