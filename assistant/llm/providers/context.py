"""Fit each request into the server's context: estimate prompt tokens, size `max_tokens`.

A local server's context is small (llama-cpp-python's default `--n_ctx` is 2048, a typical
run uses 8192) and shared by prompt and answer: the prompts of a review are 2,000-5,000 tokens,
so the default answer budget of 4096 overflows it and the answer is cut off (`finish_reason:
length`). So `max_tokens` is lowered, per request, to what the context leaves.

The prompt is not tokenised (no tokenizer for an arbitrary server model works offline): it is
estimated from its characters at `CHARS_PER_TOKEN`, measured with gemma-3's tokenizer on
llama-cpp-python 0.3.36 (the recorded `llama_cpp_local` request: the server counted 315 prompt
tokens where this estimate gives 320, i.e. about 3.4 characters per token), and
re-calibrated from every answer's `usage.prompt_tokens`, so the estimate follows the real
tokenizer after the first answer. A safety margin covers the chat template's own tokens.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

#: Measured: characters per prompt token of this project's prompts (see module docstring).
CHARS_PER_TOKEN = 3.4
#: The range a real tokenizer's characters per token falls in (code, German, English prose).
MIN_CHARS_PER_TOKEN, MAX_CHARS_PER_TOKEN = 1.5, 8.0
#: Assumed context of an OpenAI-compatible server that does not report one.
ASSUMED_CONTEXT_TOKENS = 8192
#: Chat-template tokens and estimation error kept free, on top of the estimate.
MARGIN_TOKENS = 96
MARGIN_SHARE = 0.06
#: Assumed answer speed of a local server until one answer has measured it (tokens/s, a
#: 2-core CPU with a small model: gemma-3-270m on llama-cpp-python measured 18 tokens/s).
ASSUMED_LOCAL_TOKENS_PER_S = 20.0
#: The share of the step's remaining time the answer may take, after the prompt's time.
TIME_SHARE = 0.8
#: How many times faster a CPU server reads prompt tokens than it writes answer tokens
#: (llama.cpp evaluates the prompt in batches). An assumption, stated in the run log; the
#: answer speed is learned with it from every answer's usage and duration.
PROMPT_SPEEDUP = 8.0
#: An answer budget below this cannot hold a step's JSON: the prompt must be shortened.
MIN_ANSWER_TOKENS = 384

#: How servers state their context in an overflow error (llama-cpp-python, vLLM / OpenAI).
_CONTEXT_IN_ERROR = (re.compile(r"context window of (\d+)", re.I),
                     re.compile(r"maximum context length is (\d+) tokens", re.I),
                     re.compile(r"n_ctx[^0-9]{0,20}(\d{3,7})", re.I))


class ContextTooSmall(Exception):
    """The prompt leaves no room for an answer in the server's context."""


def context_in_error(message: str) -> int | None:
    """The context length an overflow error states, if it states one."""
    for pattern in _CONTEXT_IN_ERROR:
        match = pattern.search(message)
        if match:
            return int(match.group(1))
    return None


@dataclass
class TokenBudget:
    """The server's context (and where that figure came from) and the prompt-token estimate."""

    context_tokens: int | None
    source: str  # "server", "setting", "assumed", "error message", "unbounded"
    chars_per_token: float = CHARS_PER_TOKEN
    calibrated: bool = False
    tokens_per_s: float | None = None
    speed_source: str = "unknown"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def estimate(self, chars: int) -> int:
        """Estimated tokens of a prompt of `chars` characters."""
        return int(chars / self.chars_per_token) + 1

    def learn(self, chars: int, prompt_tokens: int | None) -> None:
        """Calibrate the estimate from a server's own count of a prompt of `chars` characters."""
        if not (prompt_tokens and prompt_tokens > 50 and chars > 200):
            return
        # a count far off any tokenizer (a server that dropped part of the prompt) is no
        # calibration: it would size answers to a prompt the next server reads in full
        if MIN_CHARS_PER_TOKEN <= chars / prompt_tokens <= MAX_CHARS_PER_TOKEN:
            with self._lock:
                self.chars_per_token = chars / prompt_tokens
                self.calibrated = True

    def set_context(self, tokens: int, source: str) -> None:
        """Use a context length learned during the run (from an overflow error)."""
        with self._lock:
            self.context_tokens, self.source = tokens, source

    def learn_speed(self, prompt_tokens: int | None, output_tokens: int | None,
                    elapsed_s: float) -> None:
        """Learn the server's answer speed (tokens per second) from one answer's duration.

        The duration is the prompt's reading time plus the answer's writing time; with the
        prompt read `PROMPT_SPEEDUP` times faster, `elapsed = p / (r * v) + o / v`, so
        `v = (p / r + o) / elapsed`. Only answers of some length count: a short one is
        dominated by fixed costs (grammar compilation) and would understate the speed.
        """
        if output_tokens and output_tokens >= 100 and elapsed_s > 0:
            with self._lock:
                self.tokens_per_s = ((prompt_tokens or 0) / PROMPT_SPEEDUP + output_tokens) \
                    / elapsed_s
                self.speed_source = "measured"

    def prompt_seconds(self, prompt_chars: int) -> float:
        """The time the server needs to read a prompt (0 with no known speed)."""
        if not self.tokens_per_s:
            return 0.0
        return self.estimate(prompt_chars) / (self.tokens_per_s * PROMPT_SPEEDUP)

    def seconds_for(self, prompt_chars: int, answer_tokens: int) -> float | None:
        """How long the server needs for a prompt and an answer of that many tokens."""
        if not self.tokens_per_s:
            return None
        return self.prompt_seconds(prompt_chars) + answer_tokens / self.tokens_per_s

    def answer_tokens(self, prompt_chars: int, wanted: int, time_left_s: float | None = None,
                      ) -> int:
        """The `max_tokens` to send: `wanted`, lowered to what the context (and time) leaves.

        With a known or assumed speed, also lowered to what the server can produce in the
        step's remaining time: a one-slot server goes on generating an answer nobody waits
        for any more, and the next step would queue behind it.

        Raises:
            ContextTooSmall: fewer than `MIN_ANSWER_TOKENS` would be left.
        """
        if self.tokens_per_s is not None and time_left_s is not None:
            writing_s = max(0.0, time_left_s - self.prompt_seconds(prompt_chars))
            wanted = min(wanted, max(MIN_ANSWER_TOKENS,
                                     int(self.tokens_per_s * writing_s * TIME_SHARE)))
        if self.context_tokens is None:
            return wanted
        prompt = self.estimate(prompt_chars)
        margin = MARGIN_TOKENS + int(self.context_tokens * MARGIN_SHARE)
        left = self.context_tokens - prompt - margin
        if left < MIN_ANSWER_TOKENS:
            raise ContextTooSmall(
                f"the prompt (about {prompt} tokens) leaves {max(left, 0)} of the server's "
                f"{self.context_tokens}-token context ({self.source}) for the answer; at least "
                f"{MIN_ANSWER_TOKENS} are needed")
        return min(wanted, left)
