"""Record the provider cassettes under tests/cassettes (the `make record` entry).

By default every scenario is recorded through the real SDKs against the local stub server on
127.0.0.1:8765, with a canary key: synthetic cassettes, no key or network needed. With `--real`
the happy-path scenarios are recorded against the real provider instead, with the key from
ANTHROPIC_API_KEY / OPENAI_API_KEY (environment or .env); the error-path scenarios, which a real
provider cannot be asked to produce, stay synthetic. Auth headers are filtered out either way,
and the script fails if the key appears in any cassette it wrote.

    python scripts/record_cassettes.py                 # all scenarios, against the stub
    python scripts/record_cassettes.py --real openai   # openai_happy against OpenAI
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.settings import KEY_VARIABLES, api_key, load_dotenv_once  # noqa: E402
from tests.stub_llm_server import (  # noqa: E402
    CANARY_KEY,
    RECORD_PORT,
    SCENARIOS,
    Scenario,
    StubLLMServer,
    cassette_vcr,
    run_scenario,
    scenario_provider,
)


def record_stub(scenario: Scenario) -> None:
    """Record one scenario against the stub server (fixed port, canary key)."""
    with StubLLMServer(port=RECORD_PORT) as stub:
        stub.enqueue(stub_path(scenario), *scenario.replies)
        provider = scenario_provider(scenario, api_key=CANARY_KEY, base_url=stub.url)
        _record(scenario, provider)
    _check_clean(scenario, CANARY_KEY)


def record_real(scenario: Scenario) -> None:
    """Record one happy-path scenario against the real provider (key from the environment)."""
    key = api_key(scenario.provider)
    if not key:
        raise SystemExit(f"{scenario.name}: set {KEY_VARIABLES[scenario.provider]} to record "
                         "against the real provider")
    provider = scenario_provider(scenario, api_key=key, base_url=None)
    _record(scenario, provider)
    _check_clean(scenario, key)


def stub_path(scenario: Scenario) -> str:
    """The stub path a scenario's adapter calls."""
    return "/v1/messages" if scenario.provider == "anthropic" else "/v1/chat/completions"


def _record(scenario: Scenario, provider: object) -> None:
    """Run the scenario with vcrpy recording every interaction into a fresh cassette."""
    scenario.cassette.unlink(missing_ok=True)
    with cassette_vcr(record_mode="all").use_cassette(scenario.cassette.name) as cassette:
        completion = run_scenario(provider)
    print(f"{scenario.name}: {len(cassette)} interaction(s), stop_reason="
          f"{completion.stop_reason}, extra={sorted(completion.extra)}")


def _check_clean(scenario: Scenario, key: str) -> None:
    """Fail (and delete the cassette) if the key made it into the file."""
    if key in scenario.cassette.read_text(encoding="utf-8"):
        scenario.cassette.unlink()
        raise SystemExit(f"{scenario.name}: the key appeared in the cassette; it was deleted")


def main(argv: list[str] | None = None) -> None:
    """Record the chosen scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--real", nargs="*", choices=["openai", "anthropic"], default=None,
                        help="record the happy paths of these providers against the real API")
    parser.add_argument("--only", nargs="*", default=None, help="scenario names to record")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if args.only is None or s.name in args.only]
    real = set(args.real or ()) if args.real is not None else set()
    if args.real is not None and not real:
        real = {"openai", "anthropic"}
    if real:
        load_dotenv_once()
    for scenario in chosen:
        if scenario.provider in real and scenario.real:
            record_real(scenario)
        elif not real:
            record_stub(scenario)


if __name__ == "__main__":
    main()
