"""A case's review through the LLM path: recorded from a real server, replayed in the eval.

Recording (`scripts/record_eval_cassettes.py`, `make record-local`, `archreview eval --record`)
runs the whole review against a live OpenAI-compatible server and keeps every exchange in
`evals/cassettes/<case>.yaml`, with a label that names the server, the model (and its SHA-256
when it is a local file), the settings and the date. The replay builds the same adapter with
the same settings and answers it from the cassette (see `evals/replay.py`): no network, no key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import review
from assistant.assessment.model import Review
from assistant.intake.schema import Intake
from assistant.knowledge.cards import load_cards
from assistant.llm.providers.formats import ModeCache
from assistant.llm.providers.openai_adapter import OpenAIProvider
from assistant.settings import Settings
from evals.metrics import LlmOutcome, llm_outcome
from evals.replay import CASSETTE_DIR, REPLAY_BASE_URL, ReplayWatch, recording, replaying

#: What a recording fixes for its replay: the settings that shape the requests. Generous step
#: and review deadlines, so a slow CPU model finishes every answer (a request that timed out
#: while recording has no response to replay); `max_tokens` bounds the minutes per answer.
RECORD_SETTINGS: dict[str, Any] = {
    "provider": "openai-compatible", "model": "gemma", "temperature": 0.2, "max_repairs": 1,
    "timeout_s": 1800.0, "max_retries": 0, "step_timeout_s": 1800.0,
    "review_timeout_s": 7200.0, "max_tokens": 450, "response_format": "auto",
}
#: The label's word for a speed probe whose answer did not come in time while recording: it
#: has no response in the cassette, so the replay's probe gets none either (as the recording).
SPEED_PROBE_TIMED_OUT = "timed out while recording: not in the cassette, none on replay either"
LABEL_NOTE = ("real small model, answers are not expert judgment: recorded to show that "
              "validation, repair, grounding and labelled fallback hold on answers nobody here "
              "wrote")


def cassette_path(case: str, directory: Path = CASSETTE_DIR) -> Path:
    """Where a case's cassette lives."""
    return directory / f"{case}.yaml"


def label_path(case: str, directory: Path = CASSETTE_DIR) -> Path:
    """Where a case's cassette label lives."""
    return directory / f"{case}.label.json"


def read_label(case: str, directory: Path = CASSETTE_DIR) -> dict[str, Any] | None:
    """A case's cassette label, or None when the case has no cassette."""
    path = label_path(case, directory)
    if not cassette_path(case, directory).exists() or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def provider_for(settings: Settings, api_key: str = "not-needed") -> OpenAIProvider:
    """The adapter a recording and its replay both use (no format cache: every run starts at
    the top of the ladder, so the refusal a server sends is part of the cassette)."""
    return OpenAIProvider(model=settings.model_name, api_key=api_key, name=settings.provider,
                          base_url=settings.base_url, temperature=settings.temperature,
                          max_tokens=settings.max_tokens, timeout_s=settings.timeout_s,
                          max_retries=settings.max_retries,
                          response_format=settings.response_format,
                          context_tokens=settings.context_tokens, cache=ModeCache(None),
                          stream=settings.streams)


@dataclass
class LlmRun:
    """One review through the LLM path and its run log."""

    review: Review
    entries: list[dict[str, Any]]
    seconds: float


def run_llm_review(source: Intake | Path, settings: Settings,
                   provider: OpenAIProvider) -> LlmRun:
    """Review one intake with the provider, keeping every run-log entry."""
    import time

    entries: list[dict[str, Any]] = []
    started = time.monotonic()
    result = review(source, settings, provider=provider, progress=entries.append)
    return LlmRun(result, entries, time.monotonic() - started)


def replay_case(case: str, source: Intake | Path,
                directory: Path = CASSETTE_DIR) -> LlmOutcome | None:
    """Replay a case's cassette; None when the case has none."""
    label = read_label(case, directory)
    if label is None:
        return None
    settings = Settings(**{**label["settings"], "base_url": REPLAY_BASE_URL})
    watch: ReplayWatch
    with replaying(cassette_path(case, directory)) as watch:
        run = run_llm_review(source, settings, provider_for(settings))
    outcome = llm_outcome(run.review, run.entries, {c.id for c in load_cards()})
    missing = list(watch.missing)
    # a speed probe that timed out while recording has no response to replay: expected then
    if watch.missing_speed_probe and (watch.recorded_speed_probe
                                      or label.get("speed_probe") == "recorded"):
        missing.append("the probe's speed measurement (POST /v1/chat/completions, no step)")
    return outcome.model_copy(update={"missing": missing, "unplayed": watch.unplayed,
                                      "drift": watch.drift})


def record_case(case: str, source: Intake | Path, settings: Settings, *, server: str,
                api_key: str = "not-needed", model_file: Path | None = None,
                directory: Path = CASSETTE_DIR) -> dict[str, Any]:
    """Record a case's cassette against a live server and write its label; return the label.

    Raises:
        RuntimeError: the key (for a real provider) appears in the cassette; it is deleted.
    """
    path = cassette_path(case, directory)
    with recording(path) as cassette:
        run = run_llm_review(source, settings, provider_for(settings, api_key))
    if api_key != "not-needed" and api_key and api_key in path.read_text(encoding="utf-8"):
        path.unlink()
        raise RuntimeError(f"{path}: the key appeared in the recording; the file was deleted")
    outcome = llm_outcome(run.review, run.entries, {c.id for c in load_cards()})
    probe = next((e for e in run.entries if e.get("event") == "probe"), {})
    speed_probe = (SPEED_PROBE_TIMED_OUT if "timed out" in str(probe.get("summary", ""))
                   else "recorded")
    label = {
        "what": "REAL: recorded through the openai SDK against a live server, not the stub; "
                "every answer in it was written by the model",
        "note": LABEL_NOTE, "server": server, "model": settings.model_name,
        "model_file": model_file.name if model_file else None,
        "model_sha256": hashlib.sha256(model_file.read_bytes()).hexdigest()
        if model_file else None,
        "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(run.seconds, 1), "interactions": len(cassette),
        "speed_probe": speed_probe, "probe": probe.get("summary"),
        "settings": {k: v for k, v in settings.model_dump().items()
                     if k in RECORD_SETTINGS or k in ("language", "context_tokens",
                                                      "concurrency")},
        "outcome": outcome.model_dump(exclude={"missing", "unplayed", "drift"}),
    }
    label_path(case, directory).write_text(json.dumps(label, indent=2) + "\n", encoding="utf-8")
    return label
