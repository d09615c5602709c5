"""Ask an OpenAI-compatible server once, before a review, what it serves (`GET /v1/models`).

The answer says whether the server is reachable at all, which models it lists and, where it
says, its context length: vLLM gives `max_model_len`, llama.cpp's `llama-server` gives
`meta.n_ctx_train`, LM Studio `max_context_length`; llama-cpp-python and Ollama give none (then
the context stays the setting or the assumption, and the run log says which).
"""

from __future__ import annotations

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

    def summary(self, model: str) -> str:
        """One line for the terminal and the run log."""
        if not self.reachable:
            return f"server not reachable: {self.error}"
        listed = ", ".join(self.models[:5]) or "none"
        found = (f"it reports a {self.context_tokens}-token context" if self.context_tokens
                 else "it reports no context length")
        used = (f"requests sized to {self.context_used} tokens ({self.context_source})"
                if self.context_used else "requests not sized (unbounded context)")
        warn = "" if not self.models or model in self.models else (
            f"; model {model!r} is not among them (the server may serve its own anyway)")
        speed = (f"; answers sized to the step's time at {self.tokens_per_s:.1f} tokens/s "
                 f"({self.speed_source})" if self.tokens_per_s else "")
        return (f"server lists models: {listed}{warn}; {found}; {used}{speed}; response format "
                f"starts at {self.response_format}")


def probe_server(client: Any, model: str, *, timeout_s: float) -> ServerProbe:
    """List the server's models with the SDK (no retries: this is a quick look)."""
    import openai

    try:
        page = client.with_options(max_retries=0, timeout=timeout_s).models.list()
    except openai.APIStatusError as error:
        # Reachable, but without the listing: not every server implements it.
        return ServerProbe(True, error=f"HTTP {error.status_code} on /models")
    except openai.OpenAIError as error:
        return ServerProbe(False, error=f"{type(error).__name__}: {str(error)[:200]}")
    entries = [item.model_dump() if hasattr(item, "model_dump") else dict(item)
               for item in getattr(page, "data", [])]
    ids = [str(e.get("id")) for e in entries if e.get("id")]
    chosen = next((e for e in entries if e.get("id") == model), entries[0] if entries else {})
    return ServerProbe(True, ids, _context_of(chosen))


#: The speed probe's request: a short, predictable answer of a few dozen tokens.
SPEED_PROMPT = "Count from 1 to 40, separated by commas."
SPEED_TOKENS = 32


def measure_speed(client: Any, model: str, *, timeout_s: float) -> float | None:
    """Tokens per second of one short plain-text answer (prompt time included), or None.

    For a local server, whose speed decides how long an answer can be within a step's
    deadline. A short answer overstates the fixed costs, so the figure errs on the slow side.
    """
    import time

    import openai

    started = time.monotonic()
    try:
        response = client.with_options(max_retries=0, timeout=timeout_s).chat.completions.create(
            model=model, messages=[{"role": "user", "content": SPEED_PROMPT}],
            max_tokens=SPEED_TOKENS, temperature=0)
    except openai.OpenAIError:
        return None
    tokens = getattr(response.usage, "completion_tokens", 0) or 0
    elapsed = time.monotonic() - started
    return tokens / elapsed if tokens >= 8 and elapsed > 0 else None


def _context_of(entry: dict[str, Any]) -> int | None:
    """The first context-length field an entry carries."""
    for dotted in CONTEXT_FIELDS:
        value: Any = entry
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return None
