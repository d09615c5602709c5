"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) behind the seam.

One adapter serves both: the Chat Completions API with a strict `json_schema` response format,
so a capable model answers in the schema. Compatible servers differ in what they accept: in
`auto` mode the adapter steps down `formats.LADDER` when a server's message says it refused the
format (whatever the status), keeps the rung that worked for the run and caches it per server.
For a compatible server, `max_tokens` is sized per request to what its context leaves
(`context.TokenBudget`), and `probe()` asks `/v1/models` once what the server serves. The raw
text is returned unvalidated: `llm/ask.py` validates, repairs and grounds it.

The system message carries only the rules (constant per review and language; below the first
rung, the schema too): the shared prefix (the computed facts, with the team's intake text fenced
as data) leads the first user turn, ahead of the step's prompt. Intake text is data, so it
belongs in a user turn, never in the system prompt. Prefix caching still works: the system
message is the same for every step and the facts come first in the first user turn, so
OpenAI's automatic prefix cache (and a local server's KV cache) hits across steps; repair turns
come after the first user turn and keep it.

The SDK is imported when an adapter is built, never at module import, so an offline review does
not pay for it. Retries and timeouts are the SDK's own (`max_retries`, `timeout`).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, cast

from pydantic import BaseModel

from assistant.llm.providers.base import (
    ABANDONED,
    CURRENT_STEP,
    Completion,
    Message,
    ProviderError,
    RequestAbandoned,
)
from assistant.llm.providers.context import (
    ASSUMED_CONTEXT_TOKENS,
    ASSUMED_LOCAL_TOKENS_PER_S,
    ContextTooSmall,
    TokenBudget,
    context_in_error,
)
from assistant.llm.providers.errors import is_transient_status, sdk_error
from assistant.llm.providers.formats import LADDER, FormatMode, ModeCache, next_mode, refused_format
from assistant.llm.providers.probe import (
    SPEED_TIMEOUT_S,
    ServerProbe,
    counted_without_system,
    measure_speed,
    probe_server,
    system_dropped,
)
from assistant.llm.providers.streaming import StreamTiming, collect
from assistant.settings import LOCAL_HOSTS

ResponseFormatMode = Literal["auto", "json_schema", "json_object_schema", "json_object", "text"]
RESPONSE_FORMAT_MODES: tuple[str, ...] = ("auto", *LADDER)
Listener = Callable[..., None]

#: String keywords OpenAI's strict mode does not accept; moved into the description instead.
_UNSUPPORTED_KEYWORDS = ("minLength", "maxLength")


def schema_name_for(name: str) -> str:
    """Return a response-format / tool name the APIs accept (`^[a-zA-Z0-9_-]{1,64}$`).

    Step names come from the workflow and may contain dots or spaces; the APIs reject those.
    """
    cleaned = re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64]
    return cleaned or "answer"


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the model's JSON Schema in the form OpenAI's strict structured outputs accept.

    Uses the SDK's own transform (every object gets `additionalProperties: false` and lists all
    its properties as required; `$ref` siblings and `None` defaults are resolved), then moves
    string-length limits, which strict mode rejects, into the field description: the model
    still reads them and `llm/ask.py` still enforces them.
    """
    from openai.lib._pydantic import to_strict_json_schema

    return _move_unsupported(to_strict_json_schema(model))


def _move_unsupported(node: Any) -> Any:
    """Recursively move unsupported keywords of a schema node into its description."""
    if isinstance(node, list):
        return [_move_unsupported(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    moved: list[str] = []
    for key, value in node.items():
        if key in _UNSUPPORTED_KEYWORDS and isinstance(value, int):
            moved.append(f"{key}: {value}")
        elif key in {"properties", "$defs", "definitions"} and isinstance(value, dict):
            result[key] = {name: _move_unsupported(sub) for name, sub in value.items()}
        else:
            result[key] = _move_unsupported(value)
    if moved:
        note = "{" + ", ".join(moved) + "}"
        description = result.get("description")
        result["description"] = f"{description}\n\n{note}" if description else note
    return result


class FormatRefused(ProviderError):
    """The server refused every response format this run may use."""


class OpenAIProvider:
    """The Chat Completions adapter for OpenAI and OpenAI-compatible servers."""

    def __init__(self, *, model: str, api_key: str, name: str = "openai",
                 base_url: str | None = None, temperature: float | None = 0.2,
                 max_tokens: int = 4096, timeout_s: float = 120.0, max_retries: int = 2,
                 response_format: ResponseFormatMode = "json_schema",
                 context_tokens: int | None = None, cache: ModeCache | None = None,
                 stream: bool | None = None) -> None:
        """Build the SDK client with the run's timeout and retry budget.

        Args:
            model: the model to ask.
            api_key: the key, from `settings.api_key`; a placeholder for keyless local servers.
            name: `openai` or `openai-compatible` (reported in every completion).
            base_url: the server's base URL ending in `/v1`; None = the SDK's default.
            temperature: sampling temperature; dropped for good if the model rejects it.
            max_tokens: the answer's token budget (lowered to what the context leaves).
            timeout_s: per-request timeout handed to the SDK (a call may ask for less).
            max_retries: the SDK's retries on connection errors, 408, 409, 429 and 5xx.
            response_format: one rung of `formats.LADDER` (used alone), or `auto` (start at
                `json_schema`, or at the rung cached for this server, and step down on refusal).
            context_tokens: the server's context length; None = what `probe()` finds, else
                `ASSUMED_CONTEXT_TOKENS` for a compatible server, else unbounded (OpenAI).
            cache: where the working rung and context are remembered per server and model.
            stream: stream answers (`streaming.collect`), so an abandoned request stops the
                server; None = for a compatible server on this machine (one slot, most likely).
        """
        if response_format not in RESPONSE_FORMAT_MODES:
            raise ProviderError(f"response format must be one of {', '.join(RESPONSE_FORMAT_MODES)}"
                                f", got {response_format!r}")
        import openai

        self.name = name
        self.model = model
        self.listener: Listener | None = None
        self._sdk = openai
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout_s,
            max_retries=max_retries,
            http_client=openai.DefaultHttpxClient(event_hooks={"request": [self._on_http]}))
        self._base_url = str(self._client.base_url)
        self._timeout_s = timeout_s
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._auto = response_format == "auto"
        self._cache = cache if self._auto else None
        self._cache_key = f"{self._base_url}|{model}"
        cached = self._cache.get(self._cache_key) if self._cache else {}
        start = cached.get("response_format")
        self._mode: FormatMode = (cast(FormatMode, start) if self._auto and start in LADDER
                                  else "json_schema" if self._auto
                                  else cast(FormatMode, response_format))
        # Until a request in this format is answered, a compatible server's refusal is read
        # before the SDK retries it; OpenAI itself never refuses json_schema that way.
        self._confirmed = name == "openai"
        self._lock = threading.Lock()
        compatible = name != "openai"
        self.budget = (TokenBudget(context_tokens, "setting") if context_tokens
                       else TokenBudget(ASSUMED_CONTEXT_TOKENS, "assumed") if compatible
                       else TokenBudget(None, "unbounded"))
        local = compatible and self._client.base_url.host in LOCAL_HOSTS
        if local:
            self.budget.tokens_per_s = ASSUMED_LOCAL_TOKENS_PER_S
            self.budget.speed_source = "assumed"
        self._stream = local if stream is None else stream
        # Compatible servers (older vLLM, llama.cpp, Ollama) know only `max_tokens`; OpenAI's
        # reasoning models accept only `max_completion_tokens`.
        self._completion_tokens = not compatible
        # Some chat templates drop system messages (llama-cpp-python's gemma format); the probe
        # finds out, and then the system text leads the first user turn instead.
        self._fold_system = False
        self._last_prompt = ""
        self._last_fresh = 0

    def __repr__(self) -> str:
        return f"OpenAIProvider(name={self.name!r}, model={self.model!r})"

    @property
    def response_format(self) -> FormatMode:
        """The rung in use now."""
        return self._mode

    @property
    def context_tokens(self) -> int | None:
        """The context length requests are sized to (None = unbounded)."""
        return self.budget.context_tokens

    def probe(self, timeout_s: float = 10.0,
              speed_timeout_s: float = SPEED_TIMEOUT_S) -> ServerProbe:
        """Ask the server once what it serves and how long its context is (`/v1/models`).

        A context length the server reports replaces the assumed one (a setting still wins);
        a local server's answer speed is measured with one short answer (`speed_timeout_s`).
        """
        list_timeout_s = min(timeout_s, self._timeout_s)
        result = probe_server(self._client, self.model, timeout_s=list_timeout_s)
        if result.context_tokens and self.budget.source in ("assumed", "unbounded"):
            self.budget.set_context(result.context_tokens, "server")
        if result.reachable and self.budget.speed_source == "assumed":
            speed = measure_speed(self._client, self.model,
                                  timeout_s=min(speed_timeout_s, self._timeout_s))
            if speed is not None and speed.tokens_per_s is not None:
                self.budget.tokens_per_s, self.budget.speed_source = speed.tokens_per_s, \
                    speed.source
            if system_dropped(speed, self.budget.estimate):
                self._fold_system = True
                self._note(event="system_folded", prompt_tokens=speed and speed.prompt_tokens)
        result.system_folded = self._fold_system
        result.tokens_per_s = self.budget.tokens_per_s
        result.speed_source = self.budget.speed_source
        result.constrained_tokens_per_s = self.budget.writing_speed()
        result.context_used = self.budget.context_tokens
        result.context_source = self.budget.source
        result.response_format = self._mode
        return result

    def close(self) -> None:
        """Close the HTTP client: requests still in flight end with a connection error."""
        self._client.close()

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "",
                 timeout_s: float | None = None) -> Completion:
        """Ask for an answer in `schema` and return its raw text (see `Provider.complete`).

        Raises:
            FormatRefused: the server refused the last rung this run may use.
            ProviderError: also when the prompt leaves no room for an answer in the context.
        """
        name = schema_name_for(schema_name)
        extra: dict[str, object] = {}
        timeout = self._timeout_s if timeout_s is None else min(self._timeout_s, timeout_s)
        try:
            response = self._create_adapting(system, shared_prefix, messages, name, schema,
                                             extra, timeout)
        except ContextTooSmall as error:
            raise ProviderError(f"{self.name}: {error}", "context") from None
        except self._sdk.OpenAIError as error:
            raise sdk_error(error, provider=self.name, sdk=self._sdk,
                            secret=self._client.api_key) from None
        return self._completion(response, extra)

    def _create_adapting(self, system: str, shared_prefix: str, messages: list[Message],
                         name: str, schema: type[BaseModel], extra: dict[str, object],
                         timeout: float) -> Any:
        """Send the request; adapt to a refused temperature, format or context, then resend."""
        for _ in range(len(LADDER) + 3):
            mode = self._mode
            chat = _chat_messages(_system_for(mode, system, schema), shared_prefix, messages,
                                  fold_system=self._fold_system)
            chars = sum(len(m["content"]) for m in chat)
            fresh = self._fresh_chars(chat)
            self.budget.constrained = mode != "text"
            tokens = self.budget.answer_tokens(chars, self._max_tokens, timeout, fresh)
            extra.update(response_format=mode, max_tokens=tokens,
                         prompt_tokens_estimate=self.budget.estimate(chars))
            started = time.monotonic()
            try:
                response, timing = self._send(chat, name, schema, mode, tokens, timeout)
            except self._sdk.APIStatusError as error:
                if not self._adapt(error, mode, extra):
                    raise
                continue
            self._confirm(mode)
            usage = getattr(response, "usage", None)
            if self._system_was_dropped(chat, getattr(usage, "prompt_tokens", None)):
                # the answer was written without the rules (and the schema, below the first
                # rung): ask again, folded
                extra["system_folded"] = True
                timeout = max(1.0, timeout - (time.monotonic() - started))
                continue
            self.budget.learn(chars, getattr(usage, "prompt_tokens", None))
            self._learn_speed(response, timing, fresh, started, extra)
            return response
        raise ProviderError(f"{self.name}: the server rejected every request variant")

    def _fresh_chars(self, chat: list[Any]) -> int:
        """How much of this prompt the server has not just read: all but the common start.

        Local servers keep the last prompt's evaluation (llama-cpp-python logs "prefix-match
        hit"), so a repair, which repeats the step's prompt, is read in a few seconds.
        """
        text = "\x00".join(f"{m['role']}\x00{m['content']}" for m in chat)
        with self._lock:
            last, self._last_prompt = self._last_prompt, text
            self._last_fresh = len(text) - len(os.path.commonprefix([last, text]))
            return self._last_fresh

    def _learn_from_abandoned(self, timing: StreamTiming) -> None:
        """Learn what a stream the step gave up on showed: its first token, its pace so far."""
        chars = self._last_fresh
        self.budget.learn_stream(self.budget.estimate(chars), timing.first_token_s,
                                 timing.content_chunks, timing.writing_s)
        self._note(event="speed_from_abandoned", first_token_s=_rounded(timing.first_token_s),
                   content_chunks=timing.content_chunks,
                   reading_tokens_per_s=_rounded(self.budget.reading_speed()),
                   writing_tokens_per_s=_rounded(self.budget.writing_speed()))

    def _learn_speed(self, response: Any, timing: StreamTiming | None, chars: int,
                     started: float, extra: dict[str, object]) -> None:
        """Learn the server's speeds from this answer: per token when streamed, else in total.

        `chars` is what the server had to read of the prompt (`_fresh_chars`).
        """
        usage = getattr(response, "usage", None)
        if timing is None:
            self.budget.learn_speed(self.budget.estimate(chars),
                                    getattr(usage, "completion_tokens", None),
                                    time.monotonic() - started)
            return
        prompt = self.budget.estimate(chars)
        answer = getattr(usage, "completion_tokens", None) or timing.content_chunks
        if timing.burst:
            # delivered at once (a buffering proxy; vcrpy while recording): no per-token times
            self.budget.learn_speed(prompt, answer, time.monotonic() - started)
        else:
            self.budget.learn_stream(prompt, timing.first_token_s, answer, timing.writing_s)
        extra.update(streamed=True, first_token_s=_rounded(timing.first_token_s),
                     writing_s=_rounded(timing.writing_s), content_chunks=timing.content_chunks)

    def _send(self, chat: list[Any], name: str, schema: type[BaseModel], mode: FormatMode,
              tokens: int, timeout: float) -> tuple[Any, StreamTiming | None]:
        """One request; while the format is unconfirmed, a refusal is not retried by the SDK.

        llama-cpp-python refuses `json_schema` with HTTP 500, which the SDK would retry in full
        before we could read it; a real outage on that first request is still retried (by the
        client, with the retries left) once the message shows it is not a refusal.
        """
        if self._confirmed:
            return self._create(self._client, chat, name, schema, mode, tokens, timeout)
        try:
            return self._create(self._client.with_options(max_retries=0), chat, name, schema,
                                mode, tokens, timeout)
        except self._sdk.APIStatusError as error:
            if (refused_format(error.status_code, _message(error))
                    or not is_transient_status(error.status_code)):
                raise
        # an outage, not a refusal: the SDK's remaining retries, so the total stays the same
        retries = self._client.with_options(max_retries=max(0, self._client.max_retries - 1))
        return self._create(retries, chat, name, schema, mode, tokens, timeout)

    def _system_was_dropped(self, chat: list[Any], prompt_tokens: int | None) -> bool:
        """Whether the server's count of a prompt leaves out its system message; if so, fold.

        The probe finds this out first when it can; this catches it on the first answer when
        the probe could not tell (its short answer did not come in time), but only where the
        system message is most of the prompt: below the first rung, where it carries the
        schema. The facts are in the first user turn, so a dropped system message loses the
        rules, never the facts.
        """
        if self._fold_system or not prompt_tokens or chat[0]["role"] != "system":
            return False
        system_chars = len(chat[0]["content"])
        rest = sum(len(m["content"]) for m in chat[1:])
        # only where the system message is most of the prompt, so a missing system message
        # leaves a count far below any tokenizer's (they differ by a third at most)
        if system_chars < max(400, rest) or not counted_without_system(
                prompt_tokens, self.budget.estimate(system_chars + rest)):
            return False
        self._fold_system = True
        self._note(event="system_folded", prompt_tokens=prompt_tokens,
                   estimate=self.budget.estimate(system_chars + rest))
        return True

    def _adapt(self, error: Any, mode: FormatMode, extra: dict[str, object]) -> bool:
        """Change what the next attempt sends in answer to a refusal; False = nothing to change."""
        text = _message(error)
        lowered = text.lower()
        if error.status_code == 400 and self._temperature is not None and "temperature" in lowered:
            self._temperature = None
            extra["temperature_dropped"] = True
            return True
        context = context_in_error(text)
        if context and context != self.budget.context_tokens:
            self.budget.set_context(context, "error message")
            self._note(event="context_learned", context_tokens=context)
            return True
        server = refused_format(error.status_code, text)
        if server is None or mode != self._mode:
            return server is not None  # another request stepped down meanwhile: resend
        lower = next_mode(mode) if self._auto else None
        if lower is None:
            raise FormatRefused(f"{self.name}: the server refused the response format {mode} "
                                f"(HTTP {error.status_code}: {text[:200]})", "format_refused")
        with self._lock:
            self._mode = lower
        switches = cast(list[object], extra.setdefault("format_switches", []))
        switches.append(f"{mode} -> {lower}")
        extra["json_mode_fallback"] = True
        self._note(event="format_refused", refused=mode, next=lower, status=error.status_code,
                   matched=server, message=text[:300])
        return True

    def _confirm(self, mode: FormatMode) -> None:
        """Keep the rung that worked for the run, and remember it for this server."""
        if self._confirmed:
            return
        self._confirmed = True
        if self._cache is not None:
            self._cache.put(self._cache_key, response_format=mode)
        if self._auto:
            self._note(event="format_confirmed", response_format=mode)

    def _create(self, client: Any, chat: list[Any], name: str, schema: type[BaseModel],
                mode: FormatMode, tokens: int, timeout: float,
                ) -> tuple[Any, StreamTiming | None]:
        """Make one Chat Completions call in the given response-format mode.

        Streamed, the chunks are joined into one completion, returned with their timing.
        """
        omit = self._sdk.omit
        started = time.monotonic()
        response = client.chat.completions.create(
            model=self.model, messages=chat,
            response_format=cast(Any, _response_format(mode, name, schema)),
            temperature=omit if self._temperature is None else self._temperature,
            max_completion_tokens=tokens if self._completion_tokens else omit,
            max_tokens=omit if self._completion_tokens else tokens, timeout=timeout,
            stream=True if self._stream else omit,
            stream_options={"include_usage": True} if self._stream else omit)
        if not self._stream:
            return response, None
        return collect(response, started, on_abandon=self._learn_from_abandoned)

    def _on_http(self, request: Any) -> None:
        """Log a request the SDK re-sends on its own; send none for an abandoned call.

        A step that timed out (or a review stopped by Ctrl-C) abandons its request thread;
        without this the SDK would go on re-sending the request in the background, queueing
        it again on a one-slot server.
        """
        abandoned = ABANDONED.get()
        if abandoned is not None and abandoned.is_set():
            raise RequestAbandoned("the step stopped waiting for this request")
        retry = request.headers.get("x-stainless-retry-count")
        if retry and retry != "0":
            self._note(event="sdk_retry", retry=int(retry), url=str(request.url.path))

    def _note(self, **entry: object) -> None:
        if self.listener is not None:
            self.listener(step=CURRENT_STEP.get(), provider=self.name, **entry)

    def _completion(self, response: Any, extra: dict[str, object]) -> Completion:
        """Turn the SDK's response into a `Completion` (text, refusal, reason, token counts)."""
        if not response.choices:
            raise ProviderError(f"{self.name}: the response had no choices")
        choice = response.choices[0]
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        if getattr(response, "id", None):
            extra["response_id"] = response.id
        return Completion(
            text=choice.message.content or "", provider=self.name,
            model=getattr(response, "model", None) or self.model,
            stop_reason=choice.finish_reason, refusal=getattr(choice.message, "refusal", None),
            input_tokens=usage.prompt_tokens if usage else None,
            # a stream without usage (llama-cpp-python): one chunk per token, as it sends them
            output_tokens=usage.completion_tokens if usage else _int(extra.get("content_chunks")),
            cached_tokens=getattr(details, "cached_tokens", None), extra=extra)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def _message(error: Any) -> str:
    """The server's own words in an error (the body's message, else the SDK's text)."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        detail = inner.get("message") if isinstance(inner, dict) else None
        if detail is None and isinstance(body.get("detail"), list | str):
            detail = json.dumps(body["detail"])
        if detail:
            return str(detail)
    return str(getattr(error, "message", error))


def _response_format(mode: FormatMode, name: str, schema: type[BaseModel]) -> Any:
    """The `response_format` field of a rung (omitted for plain text)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {
            "name": name, "schema": strict_schema(schema), "strict": True}}
    if mode == "json_object_schema":
        # llama-cpp-python builds a grammar from this schema. The strict form, whose length
        # limits sit in the descriptions: a `maxLength: 1500` becomes 1,500 nested grammar
        # rules, which llama-cpp-python 0.3.36 fails to parse ("failed to parse grammar").
        return {"type": "json_object", "schema": strict_schema(schema)}
    if mode == "json_object":
        return {"type": "json_object"}
    from openai import omit

    return omit


def _system_for(mode: FormatMode, system: str, schema: type[BaseModel]) -> str:
    """The system prompt: the rules, and below the first rung the schema (never intake text)."""
    if mode == "json_schema":
        return system
    return _with_schema_instructions(system, strict_schema(schema))


def _chat_messages(system: str, shared_prefix: str, messages: list[Message], *,
                   fold_system: bool = False) -> list[Any]:
    """Build the chat: the rules as the system message, the shared prefix leading the first turn.

    The prefix holds the team's intake text (fenced as data), so it goes into a user turn, never
    into the system message; it comes first in that turn, so the requests of one review share
    their head (system message, then facts) for prefix caching, and the turns after it (repairs,
    a shorter re-ask) keep it. One system message, not two: some compatible servers' chat
    templates reject a second one. With `fold_system` (a server whose template drops system
    messages) the rules lead the first user turn instead: rules, prefix, prompt.
    """
    turns: list[dict[str, str]] = [{"role": m["role"], "content": m["content"]} for m in messages]
    lead = [text for text in (system if fold_system else "", shared_prefix) if text]
    if lead:
        if turns and turns[0]["role"] == "user":
            turns[0] = {"role": "user", "content": "\n\n".join([*lead, turns[0]["content"]])}
        else:
            turns.insert(0, {"role": "user", "content": "\n\n".join(lead)})
    return turns if fold_system else [{"role": "system", "content": system}, *turns]


def _with_schema_instructions(system: str, json_schema: dict[str, Any]) -> str:
    """Append the schema to the system prompt: JSON mode does not carry it (and needs "JSON")."""
    schema_text = json.dumps(json_schema, ensure_ascii=False)
    return (f"{system}\n\nAnswer with a single JSON object, and nothing else, that follows this "
            f"JSON Schema:\n{schema_text}")
