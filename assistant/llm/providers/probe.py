"""Ask an OpenAI-compatible server once, before a review, what it serves (`GET /v1/models`).

The answer says whether the server is reachable at all, which models it lists and, where it
says, its context length: vLLM gives `max_model_len`, llama.cpp's `llama-server` gives
`meta.n_ctx_train`, LM Studio `max_context_length`; llama-cpp-python and Ollama give none (then
the context stays the setting or the assumption, and the run log says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Where servers put the context length in a `/v1/models` entry (dotted paths).
CONTEXT_FIELDS = ("max_model_len", "context_length", "max_context_length", "meta.n_ctx",
                  "meta.n_ctx_train")


@dataclass
class ServerProbe:
    """What the probe found (and, filled in by the adapter, what the run will use)."""

    reachable: bool
    models: list[str] = field(default_factory=list)
    context_tokens: int | None = None
    error: str | None = None
    context_used: int | None = None
    context_source: str = ""
    response_format: str = ""
    tokens_per_s: float | None = None
    speed_source: str = ""
    constrained_tokens_per_s: float | None = None
    system_folded: bool = False

    def summary(self, model: str) -> str:
        """One line for the terminal and the run log."""
        if not self.reachable:
            return f"server not reachable: {self.error}"
        listed = ", ".join(self.models[:5]) or (f"none ({self.error})" if self.error else "none")
        found = (f"it reports a {self.context_tokens}-token context" if self.context_tokens
                 else "it reports no context length")
        used = (f"requests sized to {self.context_used} tokens ({self.context_source})"
                if self.context_used else "requests not sized (unbounded context)")
        warn = "" if not self.models or model in self.models else (
            f"; model {model!r} is not among them (the server may serve its own anyway)")
        speed = (f"; it writes plain text at {self.tokens_per_s:.1f} tokens/s "
                 f"({self.speed_source}), schema-constrained answers assumed at "
                 f"{self.constrained_tokens_per_s:.1f} until a step's answer times them; step "
                 "deadlines and answers are sized to that"
                 if self.tokens_per_s and self.constrained_tokens_per_s else "")
        folded = ("; it ignores system messages (its count of the probe's prompt leaves the "
                  "system message out), so the rules lead the first user turn, ahead of the "
                  "facts" if self.system_folded else "")
        return (f"server lists models: {listed}{warn}; {found}; {used}{speed}; response format "
                f"starts at {self.response_format}{folded}")


def probe_server(client: Any, model: str, *, timeout_s: float) -> ServerProbe:
    """List the server's models with the SDK (no retries: this is a quick look)."""
    import openai

    try:
        page = client.with_options(max_retries=0, timeout=timeout_s).models.list()
    except openai.APIStatusError as error:
        # Reachable, but without the listing: not every server implements it.
        return ServerProbe(True, error=f"HTTP {error.status_code} on /models")
    except openai.APITimeoutError:
        # It took the connection and did not answer in time: busy, not gone. llama-cpp-python
        # answers `/v1/models` only between completions (it takes the model's lock), so a
        # one-slot server still working on another client's request looks like this; the
        # steps' deadlines bound the wait from here.
        return ServerProbe(True, error=f"no answer to /models within {timeout_s:g} s (busy "
                                       "with another request?)")
    except openai.OpenAIError as error:
        return ServerProbe(False, error=f"{type(error).__name__}: {str(error)[:200]}")
    entries = [item.model_dump() if hasattr(item, "model_dump") else dict(item)
               for item in getattr(page, "data", [])]
    ids = [str(e.get("id")) for e in entries if e.get("id")]
    chosen = next((e for e in entries if e.get("id") == model), entries[0] if entries else {})
    return ServerProbe(True, ids, _context_of(chosen))


#: The speed probe's request: a short, predictable answer of a few dozen tokens. Its system
#: message also shows whether the server reads system messages at all: llama-cpp-python's
#: `--chat_format gemma` drops them without a word (`format_gemma` in llama_chat_format.py),
#: and then the server counts only the user turn's tokens.
SPEED_SYSTEM = ("You are a counting assistant on a test bench. Answer with the numbers only, "
                "separated by commas, with no words before or after them, no explanation and no "
                "formatting. This message only checks that the server reads system messages.")
SPEED_PROMPT = "Count from 1 to 40, separated by commas."
SPEED_TOKENS = 32


#: How long the speed probe may wait: a CPU model at 2-3 tokens/s needs 10-15 s for it.
SPEED_TIMEOUT_S = 45.0


@dataclass(frozen=True)
class Speed:
    """A measured answer speed, or an upper bound when the probe's answer did not come."""

    tokens_per_s: float | None  # None: too short an answer to time
    source: str  # "probe", or "probe timed out: at most"
    prompt_tokens: int | None = None  # the server's count of the probe's prompt


def measure_speed(client: Any, model: str, *, timeout_s: float) -> Speed | None:
    """Time one short plain-text answer (prompt time included); None on a server error.

    For a local server, whose speed decides how long an answer can be within a step's
    deadline. A short answer overstates the fixed costs, so the figure errs on the slow side.
    An answer that does not come within `timeout_s` still says something: the server makes
    fewer than `SPEED_TOKENS / timeout_s` tokens per second, and that bound is used (keeping
    the optimistic assumption instead sized answers the server could never finish in time).
    """
    import time

    import openai

    started = time.monotonic()
    try:
        response = client.with_options(max_retries=0, timeout=timeout_s).chat.completions.create(
            model=model, messages=[{"role": "system", "content": SPEED_SYSTEM},
                                   {"role": "user", "content": SPEED_PROMPT}],
            max_tokens=SPEED_TOKENS, temperature=0)
    except openai.APITimeoutError:
        return Speed(SPEED_TOKENS / timeout_s, "probe timed out: at most")
    except openai.OpenAIError:
        return None
    tokens = getattr(response.usage, "completion_tokens", 0) or 0
    prompt = getattr(response.usage, "prompt_tokens", None)
    elapsed = time.monotonic() - started
    timed = tokens >= 8 and elapsed > 0
    return Speed(tokens / elapsed if timed else None, "probe", prompt)


#: A server's prompt count below this share of the estimate means part of it was not read.
DROPPED_SHARE = 0.6


def counted_without_system(prompt_tokens: int, estimate: int) -> bool:
    """Whether a server's count is far below the estimate (tokenizers differ by a third)."""
    return prompt_tokens < DROPPED_SHARE * estimate


def system_dropped(speed: Speed | None, estimate: Callable[[int], int]) -> bool:
    """Whether the server's count of the probe's prompt leaves out the system message."""
    if speed is None or not speed.prompt_tokens:
        return False
    return counted_without_system(speed.prompt_tokens,
                                  estimate(len(SPEED_PROMPT) + len(SPEED_SYSTEM)))


def _context_of(entry: dict[str, Any]) -> int | None:
    """The first context-length field an entry carries."""
    for dotted in CONTEXT_FIELDS:
        value: Any = entry
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return None
