"""A scripted fake LLM provider for tests (labelled: it is a fake, not a model).

Enqueue answers (JSON text, Pydantic models or exceptions) per step; every call is recorded
in `history`, so tests can check what was sent, including the repair requests.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field

from pydantic import BaseModel

from assistant.llm.providers.base import Completion, Message


@dataclass
class Call:
    """One recorded request."""

    step: str
    system: str
    messages: list[Message]
    shared_prefix: str
    timeout_s: float | None = None


@dataclass
class ScriptedProvider:
    """Answers from a queue per step (schema name); falls back to a default per step."""

    name: str = "fake"
    model: str = "scripted-1"
    queues: dict[str, deque[object]] = field(default_factory=lambda: defaultdict(deque))
    defaults: dict[str, object] = field(default_factory=dict)
    history: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, step: str, *answers: object) -> ScriptedProvider:
        """Queue answers for a step, used in order."""
        self.queues[step].extend(answers)
        return self

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "",
                 timeout_s: float | None = None) -> Completion:
        """Return the next scripted answer for this step (or raise it if it is an exception)."""
        with self._lock:
            self.history.append(Call(schema_name, system, list(messages), shared_prefix,
                                     timeout_s))
            queue = self.queues[schema_name]
            answer = queue.popleft() if queue else self.defaults.get(schema_name)
        if isinstance(answer, BaseException):
            raise answer
        if answer is None:
            raise AssertionError(f"no scripted answer for step {schema_name!r}")
        if isinstance(answer, BaseModel):
            text = answer.model_dump_json()
        elif isinstance(answer, dict):
            text = json.dumps(answer)
        else:
            text = str(answer)
        return Completion(text=text, provider=self.name, model=self.model, stop_reason="stop")

    def calls(self, step: str) -> list[Call]:
        """The recorded calls of one step."""
        return [c for c in self.history if c.step == step]
