"""Which structured-output mode an OpenAI-compatible server accepts, and how it says no.

Servers differ: OpenAI and vLLM take a strict `json_schema` response format; llama-cpp-python
refuses it with HTTP 500 ("Input should be 'text' or 'json_object'") but grammar-constrains
`{"type": "json_object", "schema": ...}`; LM Studio refuses `json_object`; some servers take
only plain text. So the adapter steps down a ladder, json_schema -> json_object with the schema
-> json_object -> text (the schema always goes into the prompt below the first rung), as soon
as a server's message says the format was refused, whatever the HTTP status. The rung that
worked is kept for the rest of the run and cached per base URL and model, so the next review
starts there.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Literal

FormatMode = Literal["json_schema", "json_object_schema", "json_object", "text"]
LADDER: tuple[FormatMode, ...] = ("json_schema", "json_object_schema", "json_object", "text")
CACHE_FILE = "llm-servers.json"

#: How servers say they refused a response format, from their own source code.
#: (server, pattern): the server names only document where the wording comes from.
REFUSALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # llama-cpp-python 0.3.x (pydantic on the request body), HTTP 500; seen live and recorded
    # in tests/cassettes/llama_cpp_local.yaml.
    ("llama-cpp-python", re.compile(r"input should be 'text' or 'json_object'", re.I)),
    # llama.cpp's llama-server before json_schema support (and forks such as ik_llama.cpp),
    # HTTP 500: 'response_format type must be one of "text" or "json_object", but got: ...'
    ("llama.cpp", re.compile(r"response_format type must be one of", re.I)),
    # LM Studio: "'response_format.type' must be 'json_schema' or 'text'"
    ("lm-studio", re.compile(r"response_format\.type'? must be", re.I)),
    # Ollama (github.com/ollama/ollama, llm/llama_server.go, `llamaServerChatResponseFormat`
    # and the completion request; commit fb30760, 2026-08): 'invalid format: %q; expected
    # "json" or a valid JSON Schema object', sent by server/routes.go as HTTP 500. Ollama's
    # OpenAI layer (openai/openai.go) maps json_object to "json" and json_schema to its schema,
    # and ignores any other type, so this is the only refusal it has.
    ("ollama", re.compile(r'invalid format: .*expected "json" or a valid json schema', re.I)),
    # vLLM (github.com/vllm-project/vllm, vllm/v1/structured_output/backend_xgrammar.py,
    # `validate_xgrammar_grammar`; backend_guidance.py, `validate_guidance_grammar`), raised
    # as VLLMValidationError, HTTP 400: "The provided JSON schema contains features not
    # supported by xgrammar.", "Failed to transform json schema into a grammar: ...",
    # "Grammar error: ...", "Invalid JSON schema for guidance: ..."; older releases named
    # `guided_json` / `guided_decoding` in theirs.
    ("vllm", re.compile(r"not supported by (xgrammar|outlines|guidance)|failed to transform "
                        r"json schema into a grammar|grammar error:|invalid json schema|"
                        r"guided_(json|decoding)", re.I)),
    # OpenAI and most others: the parameter's name appears in the 400's message
    ("generic", re.compile(r"response[_ ]format|json_schema|json_object|structured output",
                           re.I)),
)
#: Statuses a refusal has been seen with (llama-cpp-python answers 500, others 400 or 422).
REFUSAL_STATUSES = frozenset({400, 404, 415, 422, 500, 501})


def refused_format(status: int | None, message: str) -> str | None:
    """Return which server's refusal wording `message` matches, or None.

    A refusal is only recognised on a status a refusal is sent with, so an outage (502, 503)
    is never mistaken for one.
    """
    if status is not None and status not in REFUSAL_STATUSES:
        return None
    for server, pattern in REFUSALS:
        if pattern.search(message):
            return server
    return None


def next_mode(mode: FormatMode) -> FormatMode | None:
    """The rung below `mode`, or None at the bottom."""
    index = LADDER.index(mode)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


class ModeCache:
    """The working format (and context length) per base URL and model, across runs."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> ModeCache:
        """The cache file in the archreview cache folder."""
        from assistant.knowledge.search import cache_dir

        return cls(cache_dir() / CACHE_FILE)

    def get(self, key: str) -> dict[str, object]:
        """What is remembered for one server and model (empty when nothing)."""
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) else {}

    def put(self, key: str, **values: object) -> None:
        """Remember values for one server and model (an unwritable cache is skipped)."""
        if self.path is None:
            return
        with self._lock:
            data = self._read()
            data[key] = {**(data.get(key) or {}), **values}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            except OSError:
                pass

    def _read(self) -> dict[str, dict[str, object]]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")[:1_000_000])
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
