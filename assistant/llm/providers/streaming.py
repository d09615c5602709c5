"""Read a streamed Chat Completions answer into one completion, timing it token by token.

Why stream at all, when the review wants the whole JSON answer anyway: a server on this machine
(llama-cpp-python, Ollama, llama.cpp's server) usually has one slot. A non-streamed request it
has started runs to its last token even after the client gave up on it, so a step that timed
out leaves the server busy and the next step queues behind an answer nobody reads (the cascade
seen against llama-cpp-python 0.3.36: every step after the first timed out). A streamed request
ends when the client closes it: llama-cpp-python checks `request.is_disconnected()` after every
chunk, and interrupts a stream when a new request arrives. So a step that stops waiting
(deadline, Ctrl-C) closes the stream at the next token and the slot is free.

Streaming also measures what the deadline needs: the time to the first token is the server's
prompt reading (plus its grammar set-up), and the gaps between tokens are its writing speed in
this response format (llama-cpp-python's grammar sampling made a 270M model 3.3x slower than
plain text: 10.3 against 33.6 tokens/s).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assistant.llm.providers.base import ABANDONED, RequestAbandoned


@dataclass(frozen=True)
class StreamTiming:
    """When the stream started, its first and last content token came, and how many chunks."""

    started: float
    first_token: float | None
    last_token: float | None
    content_chunks: int

    @property
    def first_token_s(self) -> float | None:
        """Seconds to the first content token: prompt reading and set-up."""
        return None if self.first_token is None else self.first_token - self.started

    @property
    def burst(self) -> bool:
        """Whether the chunks came at once, not as written: their gaps time nothing then.

        A proxy that buffers the response, or vcrpy (it reads the whole body to record it),
        hands over hundreds of chunks within milliseconds of the first.
        """
        writing, first = self.writing_s, self.first_token_s
        return (writing is not None and first is not None and self.content_chunks >= 50
                and writing < 0.05 * (first + writing))

    @property
    def writing_s(self) -> float | None:
        """Seconds from the first to the last content token."""
        if self.first_token is None or self.last_token is None:
            return None
        return self.last_token - self.first_token


def collect(stream: Iterable[Any], started: float,
            on_abandon: Callable[[StreamTiming], None] | None = None,
            ) -> tuple[Any, StreamTiming]:
    """Join the chunks of a streamed answer into a `ChatCompletion`; close it if abandoned.

    The step's wait may end (deadline, Ctrl-C) while this thread still reads; then the stream
    is closed at the next chunk, which disconnects, and the server stops writing. What the
    stream showed until then (when its first token came, how fast the next ones) goes to
    `on_abandon`: a step that timed out still teaches the next one the server's speed.

    Raises:
        RequestAbandoned: the step stopped waiting for this answer.
    """
    from openai.types.chat import ChatCompletion

    parts: list[str] = []
    refusal: list[str] = []
    finish: str | None = None
    usage: Any = None
    model = response_id = ""
    first = last = None
    chunks = 0
    abandoned = ABANDONED.get()
    for chunk in stream:
        if abandoned is not None and abandoned.is_set():
            _close(stream)
            if on_abandon is not None:
                on_abandon(StreamTiming(started, first or time.monotonic(), last, chunks))
            raise RequestAbandoned("the step stopped waiting for this answer")
        model = getattr(chunk, "model", None) or model
        response_id = getattr(chunk, "id", None) or response_id
        usage = getattr(chunk, "usage", None) or usage
        for choice in getattr(chunk, "choices", None) or []:
            delta = choice.delta
            if getattr(delta, "content", None):
                last = time.monotonic()
                first = first or last
                chunks += 1
                parts.append(delta.content)
            if getattr(delta, "refusal", None):
                refusal.append(delta.refusal)
            finish = choice.finish_reason or finish
    message = {"role": "assistant", "content": "".join(parts),
               "refusal": "".join(refusal) or None}
    completion = ChatCompletion.model_construct(
        id=response_id, object="chat.completion", created=0, model=model, usage=usage,
        choices=[_choice(message, finish)])
    return completion, StreamTiming(started, first, last, chunks)


def _choice(message: dict[str, Any], finish: str | None) -> Any:
    """One choice, built without validation (servers send finish reasons OpenAI does not)."""
    from openai.types.chat import ChatCompletionMessage
    from openai.types.chat.chat_completion import Choice

    reason: Any = finish
    return Choice.model_construct(index=0, finish_reason=reason,
                                  message=ChatCompletionMessage.model_construct(**message))


def _close(stream: Any) -> None:
    """Close the HTTP response under the stream (an SDK `Stream` has `close()`)."""
    close = getattr(stream, "close", None)
    if callable(close):
        close()
