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
#: Assumed answer speed of a local server until the probe has measured it (tokens/s, plain
#: text, a 2-core CPU with a small model: gemma-3-270m on llama-cpp-python measured 18-34).
ASSUMED_LOCAL_TOKENS_PER_S = 20.0
#: The share of the step's remaining time the answer may take, after the prompt's time.
TIME_SHARE = 0.8
#: How many times faster a CPU server reads prompt tokens than it writes plain-text answer
#: tokens (llama.cpp evaluates the prompt in batches, so it gains from threads; writing gains
#: little). Measured on llama-cpp-python 0.3.36 with gemma-3-270m: 2 threads 183 prompt
#: tokens/s against the probe's 33.6 (5.4), 1 thread 86 against 36.8 (2.3). The lower one is
#: used, so a first step's deadline is not too short, until a streamed answer times the prompt
#: itself (its first token).
PROMPT_SPEEDUP = 2.3
#: How many times slower a schema-constrained answer is written than the probe's plain text,
#: until a step's answer measures it. Measured on llama-cpp-python 0.3.36 (grammar sampling in
#: Python), gemma-3-270m, 2 cores: 784 tokens in 76.4 s = 10.3 tokens/s against the probe's 33.6
#: (3.3). Servers that constrain natively (vLLM, llama.cpp's own server) are faster; the first
#: answer corrects the figure either way.
CONSTRAINED_SLOWDOWN = 3.3
#: The answer length a step's deadline is sized for on a slow server: the bottleneck step's
#: answer from gemma-3-270m measured 784 tokens; steps with smaller schemas answer in less.
TYPICAL_ANSWER_TOKENS = 800
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
    tokens_per_s: float | None = None  # plain-text answer speed: the probe's, or assumed
    speed_source: str = "unknown"
    #: schema-constrained answer speed, measured from a step's answer (None: not yet)
    answer_tokens_per_s: float | None = None
    #: prompt reading speed, measured from a streamed answer's first token (None: not yet)
    prompt_tokens_per_s: float | None = None
    #: whether answers are schema-constrained (every rung but plain text)
    constrained: bool = True
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

    @property
    def timed(self) -> bool:
        """Whether the server's speed was seen (the probe, an answer), not only assumed."""
        return self.speed_source not in ("assumed", "unknown") or bool(self.answer_tokens_per_s)

    def writing_speed(self) -> float | None:
        """Answer tokens per second in the format in use: measured, else from the probe."""
        if self.answer_tokens_per_s:
            return self.answer_tokens_per_s
        if not self.tokens_per_s:
            return None
        return self.tokens_per_s / (CONSTRAINED_SLOWDOWN if self.constrained else 1.0)

    def reading_speed(self) -> float | None:
        """Prompt tokens per second: measured, else `PROMPT_SPEEDUP` times the probe's speed."""
        if self.prompt_tokens_per_s:
            return self.prompt_tokens_per_s
        return self.tokens_per_s * PROMPT_SPEEDUP if self.tokens_per_s else None

    def learn_stream(self, prompt_tokens: int, first_token_s: float | None, answer_tokens: int,
                     writing_s: float | None) -> None:
        """Learn both speeds from a streamed answer: first token = reading, the rest = writing.

        Only a prompt of some length times the reading (a short one is all fixed costs), and
        only an answer of some length times the writing.
        """
        with self._lock:
            if first_token_s and first_token_s > 0 and prompt_tokens >= 200:
                self.prompt_tokens_per_s = prompt_tokens / first_token_s
            if writing_s and writing_s > 0 and answer_tokens >= 50:
                self.answer_tokens_per_s = (answer_tokens - 1) / writing_s
                self.speed_source = "measured"

    def learn_speed(self, prompt_tokens: int | None, output_tokens: int | None,
                    elapsed_s: float) -> None:
        """Learn the answer speed from one (not streamed) answer's duration.

        The duration is the prompt's reading time plus the answer's writing time, so the
        writing speed is the answer's tokens over what is left after the reading time. Only
        answers of some length count: a short one is dominated by fixed costs (grammar
        compilation) and would understate the speed.
        """
        if not (output_tokens and output_tokens >= 100 and elapsed_s > 0):
            return
        reading = self.reading_speed()
        prompt_s = (prompt_tokens or 0) / reading if reading else 0.0
        writing_s = elapsed_s - prompt_s if elapsed_s - prompt_s > elapsed_s / 4 else elapsed_s
        with self._lock:
            self.answer_tokens_per_s = output_tokens / writing_s
            self.speed_source = "measured"

    def prompt_seconds(self, prompt_chars: int) -> float:
        """The time the server needs to read a prompt (0 with no known speed)."""
        reading = self.reading_speed()
        return self.estimate(prompt_chars) / reading if reading else 0.0

    def seconds_for(self, prompt_chars: int, answer_tokens: int) -> float | None:
        """How long the server needs for a prompt and an answer of that many tokens."""
        writing = self.writing_speed()
        if not writing:
            return None
        return self.prompt_seconds(prompt_chars) + answer_tokens / writing

    def answer_tokens(self, prompt_chars: int, wanted: int, time_left_s: float | None = None,
                      reading_chars: int | None = None) -> int:
        """The `max_tokens` to send: `wanted`, lowered to what the context (and time) leaves.

        With a known or assumed speed, also lowered to what the server can produce in the
        step's remaining time: an answer the server cannot finish in time is of no use.
        `reading_chars` is the part of the prompt the server has not just read (it keeps the
        last prompt cached, so a repair's reading is its new turn only).

        Raises:
            ContextTooSmall: fewer than `MIN_ANSWER_TOKENS` would be left.
        """
        writing = self.writing_speed()
        if writing is not None and time_left_s is not None:
            read = prompt_chars if reading_chars is None else reading_chars
            writing_s = max(0.0, time_left_s - self.prompt_seconds(read))
            wanted = min(wanted, max(MIN_ANSWER_TOKENS, int(writing * writing_s * TIME_SHARE)))
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
