"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama.cpp) behind the seam.

One adapter serves both: the Chat Completions API with a strict `json_schema` response format,
so a capable model answers in the schema. Some compatible servers reject `json_schema`; in `auto`
mode the adapter then retries once in JSON mode (`json_object`, schema given in the system
prompt) and stays there for the rest of the run. The raw text is returned unvalidated:
`llm/ask.py` validates, repairs and grounds it.

The SDK is imported when an adapter is built, never at module import, so an offline review does
not pay for it. Retries and timeouts are the SDK's own (`max_retries`, `timeout`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, cast

from pydantic import BaseModel

from assistant.llm.providers.base import Completion, Message, ProviderError
from assistant.llm.providers.errors import sdk_error

ResponseFormatMode = Literal["json_schema", "json_object", "auto"]
RESPONSE_FORMAT_MODES: tuple[str, ...] = ("json_schema", "json_object", "auto")

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


class OpenAIProvider:
    """The Chat Completions adapter for OpenAI and OpenAI-compatible servers."""

    def __init__(self, *, model: str, api_key: str, name: str = "openai",
                 base_url: str | None = None, temperature: float | None = 0.2,
                 max_tokens: int = 4096, timeout_s: float = 120.0, max_retries: int = 2,
                 response_format: ResponseFormatMode = "json_schema") -> None:
        """Build the SDK client with the run's timeout and retry budget.

        Args:
            model: the model to ask.
            api_key: the key, from `settings.api_key`; a placeholder for keyless local servers.
            name: `openai` or `openai-compatible` (reported in every completion).
            base_url: the server's base URL ending in `/v1`; None = the SDK's default.
            temperature: sampling temperature; dropped for good if the model rejects it.
            max_tokens: the answer's token budget.
            timeout_s: per-request timeout handed to the SDK (a call may ask for less).
            max_retries: the SDK's retries on connection errors, 408, 409, 429 and 5xx.
            response_format: `json_schema` (strict), `json_object` (JSON mode, schema in the
                prompt) or `auto` (json_schema, falling back to JSON mode once if rejected).
        """
        if response_format not in RESPONSE_FORMAT_MODES:
            raise ProviderError(f"response format must be one of {', '.join(RESPONSE_FORMAT_MODES)}"
                                f", got {response_format!r}")
        import openai

        self.name = name
        self.model = model
        self._sdk = openai
        self._client = openai.OpenAI(api_key=api_key, base_url=base_url or None,
                                     timeout=timeout_s, max_retries=max_retries)
        self._timeout_s = timeout_s
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._mode: ResponseFormatMode = response_format
        # Compatible servers (older vLLM, llama.cpp, Ollama) know only `max_tokens`; OpenAI's
        # reasoning models accept only `max_completion_tokens`.
        self._completion_tokens = name == "openai"

    def __repr__(self) -> str:
        return f"OpenAIProvider(name={self.name!r}, model={self.model!r})"

    def complete(self, *, system: str, messages: list[Message], schema: type[BaseModel],
                 schema_name: str, shared_prefix: str = "",
                 timeout_s: float | None = None) -> Completion:
        """Ask for an answer in `schema` and return its raw text (see `Provider.complete`)."""
        json_schema = strict_schema(schema)
        name = schema_name_for(schema_name)
        extra: dict[str, object] = {}
        mode: ResponseFormatMode = "json_object" if self._mode == "json_object" else "json_schema"
        timeout = self._timeout_s if timeout_s is None else min(self._timeout_s, timeout_s)
        try:
            response = self._create_with_fallbacks(system, shared_prefix, messages, name,
                                                   json_schema, mode, extra, timeout)
        except self._sdk.OpenAIError as error:
            raise sdk_error(error, provider=self.name, sdk=self._sdk,
                            secret=self._client.api_key) from None
        return self._completion(response, extra)

    def _create_with_fallbacks(self, system: str, shared_prefix: str, messages: list[Message],
                               name: str, json_schema: dict[str, Any], mode: ResponseFormatMode,
                               extra: dict[str, object], timeout: float) -> Any:
        """Send the request; on a rejected temperature or response format, adapt once each."""
        for _ in range(3):
            try:
                response = self._create(system, shared_prefix, messages, name, json_schema, mode,
                                        timeout)
            except self._sdk.BadRequestError as error:
                text = str(error).lower()
                if self._temperature is not None and "temperature" in text:
                    self._temperature = None
                    extra["temperature_dropped"] = True
                    continue
                if self._mode == "auto" and mode == "json_schema" and _mentions_format(text):
                    self._mode = mode = "json_object"
                    extra["json_mode_fallback"] = True
                    continue
                raise
            extra["response_format"] = mode
            return response
        raise ProviderError(f"{self.name}: the server rejected every request variant")

    def _create(self, system: str, shared_prefix: str, messages: list[Message], name: str,
                json_schema: dict[str, Any], mode: ResponseFormatMode, timeout: float) -> Any:
        """Make one Chat Completions call in the given response-format mode."""
        if mode == "json_object":
            response_format: dict[str, Any] = {"type": "json_object"}
            system = _with_schema_instructions(system, json_schema)
        else:
            response_format = {"type": "json_schema", "json_schema": {
                "name": name, "schema": json_schema, "strict": True}}
        omit = self._sdk.omit
        tokens = self._max_tokens
        return self._client.chat.completions.create(
            model=self.model, messages=_chat_messages(system, shared_prefix, messages),
            response_format=cast(Any, response_format),
            temperature=omit if self._temperature is None else self._temperature,
            max_completion_tokens=tokens if self._completion_tokens else omit,
            max_tokens=omit if self._completion_tokens else tokens, timeout=timeout)

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
            stop_reason=choice.finish_reason, refusal=choice.message.refusal,
            input_tokens=usage.prompt_tokens if usage else None,
            output_tokens=usage.completion_tokens if usage else None,
            cached_tokens=getattr(details, "cached_tokens", None), extra=extra)


def _mentions_format(text: str) -> bool:
    """Return whether a 400 message blames the response format (so JSON mode may work)."""
    return any(word in text for word in ("response_format", "json_schema", "response format"))


def _chat_messages(system: str, shared_prefix: str, messages: list[Message]) -> list[Any]:
    """Build the chat: one system message (shared prefix first, for prefix caching), then turns.

    One system message, not two: some compatible servers' chat templates reject a second one.
    """
    system_text = f"{shared_prefix}\n\n{system}" if shared_prefix else system
    chat: list[dict[str, str]] = [{"role": "system", "content": system_text}]
    chat.extend({"role": m["role"], "content": m["content"]} for m in messages)
    return chat


def _with_schema_instructions(system: str, json_schema: dict[str, Any]) -> str:
    """Append the schema to the system prompt: JSON mode does not carry it (and needs "JSON")."""
    schema_text = json.dumps(json_schema, ensure_ascii=False)
    return (f"{system}\n\nAnswer with a single JSON object, and nothing else, that follows this "
            f"JSON Schema:\n{schema_text}")
