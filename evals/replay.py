"""Record and replay a whole review's LLM path through vcrpy cassettes, one per eval case.

A cassette in `evals/cassettes/<case>.yaml` holds every HTTP exchange one review had with a real
OpenAI-compatible server (the probe, each step's requests, refusals, repairs); its label
`<case>.label.json` says which server, model (with SHA-256) and settings produced it, and when.

Replay only: vcrpy's record mode `none` and no playback repeats, so a request the cassette does
not hold (`missing`) and an exchange the review no longer makes (`unplayed`) are both reported
by name, and the eval fails the case.

Requests are matched by method, path and their *shape*: the step that sent them (tagged into the
recorded request, never sent to the server), the response-format rung, the roles of the
messages and the kind of the last one (first ask, repair, shorter re-ask). Not by the full body:
`max_tokens` is sized from the server's measured speed and the time left, so it differs between
a slow recording and a fast replay, and the facts in a prompt move whenever a figure does. A
body that differs from the recorded one in anything but `max_tokens` is counted as `drift` and
shown, so a cassette that no longer matches today's prompts is visible, not hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assistant.llm.providers.base import CURRENT_STEP

CASSETTE_DIR = Path(__file__).resolve().parent / "cassettes"
STEP_HEADER = "x-archreview-eval-step"
#: Request headers never written to a cassette (a real provider's key among them), and the
#: response headers dropped from one: account ids and cookies. The provider cassettes
#: (`tests/stub_llm_server.py`) use the same lists.
SECRET_REQUEST_HEADERS = ["authorization", "x-api-key", "cookie", "openai-organization",
                          "openai-project"]
SECRET_RESPONSE_HEADERS = ("set-cookie", "openai-organization", "openai-project",
                           "anthropic-organization-id")
#: The base URL a replay pretends to talk to (nothing listens there; vcrpy answers).
REPLAY_BASE_URL = "http://127.0.0.1:8089/v1"
#: Body fields that legitimately differ between recording and replay (see module docstring).
UNSTABLE_FIELDS = ("max_tokens", "max_completion_tokens")


@dataclass
class ReplayWatch:
    """What a replay did not find (`missing`), left over (`unplayed`) or found changed."""

    missing: list[str] = field(default_factory=list)
    missing_speed_probe: bool = False
    recorded_speed_probe: bool = False
    unplayed: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    played: int = 0
    recorded: int = 0

    @property
    def complete(self) -> bool:
        """Every request was in the cassette and every recorded exchange was played."""
        return not self.missing and not self.unplayed


def _body(request: Any) -> dict[str, Any]:
    raw = request.body
    if not raw:
        return {}
    try:
        data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (ValueError, UnicodeDecodeError):
        return {"_raw": str(raw)[:200]}
    return data if isinstance(data, dict) else {"_raw": data}


def _last_kind(text: str) -> str:
    """Which kind of user turn ends the chat: the first ask, a repair or a shorter re-ask."""
    if text.startswith("Your previous answer was rejected"):
        return "repair"
    if text.startswith("Your previous answer was cut off"):
        return "shorter"
    return "ask"


def request_shape(request: Any) -> tuple[str, ...]:
    """What identifies a request across recording and replay (see module docstring)."""
    body = _body(request)
    messages = body.get("messages") or []
    fmt = body.get("response_format")
    rung = "text" if not isinstance(fmt, dict) else (
        f"{fmt.get('type')}{'+schema' if 'schema' in fmt else ''}")
    last = messages[-1].get("content", "") if messages and isinstance(messages[-1], dict) else ""
    roles = ",".join(str(m.get("role")) for m in messages if isinstance(m, dict))
    step = request.headers.get(STEP_HEADER, "")
    if not messages:  # the probe's model list, or anything that is not a chat
        return (request.method, request.path, step, json.dumps(body, sort_keys=True))
    probe = "" if step else json.dumps(messages, sort_keys=True)  # the speed probe: fixed text
    return (request.method, request.path, step, rung, roles,
            _last_kind(str(last)), probe)


def llm_request_shape(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the two requests have the same shape."""
    assert request_shape(r1) == request_shape(r2)


def stable_body(request: Any) -> dict[str, Any]:
    """The body without the fields that differ between a recording and its replay."""
    return {k: v for k, v in _body(request).items() if k not in UNSTABLE_FIELDS}


def is_speed_probe(request: Any) -> bool:
    """Whether a request is the probe's short speed measurement (no step, a chat)."""
    return not request.headers.get(STEP_HEADER) and bool(_body(request).get("messages"))


def describe(request: Any) -> str:
    """One line naming a request for a failure message."""
    step = request.headers.get(STEP_HEADER) or "probe"
    shape = " / ".join(request_shape(request)[3:6])
    return f"{request.method} {request.path} (step {step}, {shape})"


def _tag_step(request: Any) -> Any:
    """Write the step that sends a request into the request vcrpy keeps (not the one sent)."""
    step = CURRENT_STEP.get()
    if step:
        request.headers[STEP_HEADER] = step
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop account ids and cookies from a recorded response (eval and provider cassettes)."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_RESPONSE_HEADERS:
            del headers[name]
    return response


def eval_vcr(record_mode: str = "none") -> Any:
    """The vcrpy configuration of the eval cassettes (replay only unless recording)."""
    import vcr

    config = vcr.VCR(cassette_library_dir=str(CASSETTE_DIR), record_mode=record_mode,
                     match_on=["method", "path", "llm_request_shape"],
                     filter_headers=SECRET_REQUEST_HEADERS, before_record_request=_tag_step,
                     before_record_response=scrub_response, decode_compressed_response=True)
    config.register_matcher("llm_request_shape", llm_request_shape)
    return config


def _watch(cassette: Any, watch: ReplayWatch) -> None:
    """Count what the replay asks that the cassette lacks, and bodies that changed."""
    original: Callable[[Any], bool] = cassette.can_play_response_for

    def can_play(request: Any) -> bool:
        found = original(request)
        if not found:
            tagged = cassette._before_record_request(request)
            if is_speed_probe(tagged):
                watch.missing_speed_probe = True  # the label says whether that is expected
            else:
                watch.missing.append(describe(tagged))
            # as a connection error, so the review goes on (the step falls back, labelled
            # unreachable) and the case reports every missing request, not only the first
            raise httpx.ConnectError(f"not in the cassette: {describe(tagged)}")
        tagged = cassette._before_record_request(request)
        for index, (recorded, _response) in enumerate(cassette.data):
            if cassette.play_counts[index] == 0 and request_shape(recorded) == \
                    request_shape(tagged):
                if stable_body(recorded) != stable_body(tagged):
                    watch.drift.append(describe(tagged))
                break
        return True

    cassette.can_play_response_for = can_play


@contextmanager
def replaying(cassette_path: Path) -> Iterator[ReplayWatch]:
    """Replay one case's cassette; the watch lists what was missing, unplayed or changed."""
    watch = ReplayWatch()
    with eval_vcr("none").use_cassette(str(cassette_path),
                                       allow_playback_repeats=False) as cassette:
        _watch(cassette, watch)
        watch.recorded = len(cassette.data)
        watch.recorded_speed_probe = any(is_speed_probe(r) for r, _ in cassette.data)
        yield watch
        watch.played = sum(1 for count in cassette.play_counts.values() if count)
        watch.unplayed = [describe(request) for index, (request, _r) in enumerate(cassette.data)
                          if not cassette.play_counts[index]]


@contextmanager
def recording(cassette_path: Path) -> Iterator[Any]:
    """Record one case's cassette from scratch (the old one is replaced)."""
    cassette_path.unlink(missing_ok=True)
    cassette_path.parent.mkdir(parents=True, exist_ok=True)
    with eval_vcr("all").use_cassette(str(cassette_path)) as cassette:
        yield cassette
