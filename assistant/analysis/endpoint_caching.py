"""Per-endpoint caching analysis: TTL, hit ratio, response time, origin load and cache memory.

Seed 001 exercise 2 (~712-765) gives an endpoint table (requests per minute, response time,
freshness requirement, user-specificity), a goal (80 % better response times) and a budget (a
Redis cluster with 16 GB). This module turns each row into computed figures, each with the formula
and the inputs behind it, so a report can show its work instead of asking an LLM to guess.

The model is the classic TTL cache under Poisson requests (Jung, Berger and Balakrishnan,
"Modeling TTL-based Internet caches", INFOCOM 2003): a key asked for at rate lambda_k is fetched
on a miss and then answers every request in the next TTL seconds, lambda_k * TTL of them on
average, so its hit ratio is x / (1 + x) with x = lambda_k * TTL. Requests are spread uniformly
over the endpoint's K keys unless a Zipf exponent is given (popular keys hit more often, so skew
raises the hit ratio: uniform is the conservative default). Rates are the intake's averages; at
peak the hit ratio is higher.

Response times are as the intake measures them (server side). Hits are answered by the front
layer of the recommended stack; the layers behind it (Redis behind a CDN or a browser cache) use the
same TTL, so in this model they add no hits of their own: they shield the origin from the misses of
each CDN edge or device. A CDN hit's time includes the client's trip to the edge, so for distant
users the CDN's real gain is larger than shown. Memory is in GiB (1024^3 bytes), response sizes in
KiB. Defaults with their sources live in `data/caching.yaml`; an endpoint's own `distinct_keys` or
`avg_response_kb`, where the intake gives them, win.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.bundled import load_data_yaml
from assistant.catalogue.model import Sourced, load_defaults
from assistant.intake.freshness import parse_freshness
from assistant.intake.schema import Intake

CACHING_PATH = Path(__file__).parent / "data" / "caching.yaml"

Layer = Literal["browser", "cdn", "redis"]
Shape = Literal["list", "item", "user"]
InputValue = float | str | bool | None

_KIB_PER_GIB = 1024.0 * 1024.0
_MAX_TTL_S = 10 * 365 * 86400.0
_EXACT_RANKS = 10_000
_BIN_GROWTH = 1.01

_PARAM_SEGMENT = re.compile(r"^(:.+|\{.+\}|<.+>)$")


# --------------------------------------------------------------------------- defaults


@cache
def load_caching_defaults(path: Path = CACHING_PATH) -> dict[str, dict[str, Sourced]]:
    """Read caching.yaml once per process so every figure keeps its source."""
    raw = load_data_yaml(path.read_text(encoding="utf-8"))
    return {
        group: {name: Sourced.model_validate(item) for name, item in items.items()}
        for group, items in raw.items()
    }


def _default(group: str, name: str) -> Sourced:
    return load_caching_defaults()[group][name]


# --------------------------------------------------------------------------- models


class EndpointCaching(BaseModel):
    """The caching figures for one endpoint, with the formulas and inputs behind them."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Endpoint path as in the intake.")
    method: str = Field(description="HTTP method; only GET is cached.")
    requests_per_minute: float = Field(description="Average request rate from the intake.")
    origin_response_ms: float = Field(description="Response time today, without a cache.")
    freshness_s: float | None = Field(
        default=None, description="Freshness requirement in seconds; None if not given."
    )
    ttl_s: float | None = Field(
        default=None, description="Cache TTL: the freshness requirement (None: not cached)."
    )
    key_shape: Shape = Field(description="list, item (:id) or user (user-specific).")
    distinct_keys: int = Field(description="K: distinct cache keys the requests spread over.")
    layers: list[Layer] = Field(
        description="Recommended cache layers, front first; empty means do not cache."
    )
    reason: str = Field(description="One sentence on why these layers.")
    hit_ratio: float = Field(description="Expected share of requests answered by the cache.")
    hit_ms: float | None = Field(
        default=None, description="Time to serve a hit at the front layer (None: not cached)."
    )
    response_ms: float = Field(description="Expected average response time with the cache.")
    saved_ms: float = Field(description="Average response time saved per request.")
    improvement_pct: float = Field(description="Response-time improvement against today, in %.")
    origin_rpm_saved: float = Field(description="Requests per minute no longer reaching origin.")
    response_kb: float = Field(description="Size of one cached response in KiB.")
    redis_memory_gb: float = Field(
        description="Redis memory if every key is cached at once (GiB); 0 without Redis."
    )
    redis_memory_live_gb: float = Field(
        description="Expected Redis memory of the keys alive at a time (GiB); 0 without Redis."
    )
    goal_hit_ratio: float | None = Field(
        default=None,
        description="Hit ratio this endpoint alone needs for the goal (None: above 1 or uncached).",
    )
    goal_ttl_s: float | None = Field(
        default=None, description="TTL reaching goal_hit_ratio (None: no TTL reaches the goal)."
    )
    goal_note: str = Field(default="", description="Whether this endpoint alone meets the goal.")
    notes: list[str] = Field(default_factory=list, description="Caveats for this endpoint.")
    formulas: dict[str, str] = Field(
        default_factory=dict, description="Each figure's formula with the numbers put in."
    )
    inputs: dict[str, InputValue] = Field(
        default_factory=dict, description="Every input used, from the intake or a default."
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Source of each default used (caching.yaml)."
    )


class GapOption(BaseModel):
    """One way to close the gap to the goal: change one endpoint, keep the others."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="The endpoint to change.")
    reachable: bool = Field(description="False if even a hit ratio of 1 cannot close the gap.")
    needed_hit_ratio: float | None = Field(
        default=None, description="Hit ratio this endpoint would need (None: unreachable)."
    )
    needed_ttl_s: float | None = Field(
        default=None, description="TTL giving that hit ratio with today's keys (None: none)."
    )
    max_keys: int | None = Field(
        default=None, description="Most keys allowed to reach that hit ratio at today's TTL."
    )
    text: str = Field(description="The option in one sentence.")


class CachingAnalysis(BaseModel):
    """Per-endpoint caching figures and the aggregate check against goal and Redis budget."""

    model_config = ConfigDict(extra="forbid")

    endpoints: list[EndpointCaching] = Field(description="One entry per intake endpoint.")
    goal_improvement_pct: float = Field(description="Response-time improvement goal in %.")
    before_ms: float | None = Field(
        default=None, description="Request-weighted average response time today."
    )
    after_ms: float | None = Field(
        default=None, description="Request-weighted average response time with the caches."
    )
    improvement_pct: float | None = Field(
        default=None, description="Improvement of the request-weighted average, in %."
    )
    meets_goal: bool | None = Field(default=None, description="None when there is no traffic.")
    goal_gap_pct: float | None = Field(
        default=None, description="Improvement minus goal in points; negative means short."
    )
    gap_options: list[GapOption] = Field(
        default_factory=list, description="What would close the gap, when the goal is missed."
    )
    origin_rpm_saved: float = Field(description="Requests per minute kept from the origin.")
    memory_needed_gb: float = Field(description="Redis memory with every key cached (GiB).")
    memory_live_gb: float = Field(description="Expected Redis memory of live keys (GiB).")
    memory_budget_gb: float | None = Field(
        default=None, description="Redis memory on offer (GiB); None if unknown."
    )
    usable_memory_gb: float | None = Field(
        default=None, description="Budget less the memory Redis reserves for backups/failover."
    )
    budget_source: str = Field(default="", description="Where the budget figure comes from.")
    fits_budget: bool | None = Field(
        default=None, description="memory_needed_gb <= usable_memory_gb; None without budget."
    )
    zipf_s: float = Field(description="Popularity skew used; 0 means uniform.")
    formulas: dict[str, str] = Field(default_factory=dict, description="Aggregate formulas.")
    sources: dict[str, str] = Field(default_factory=dict, description="Sources of defaults.")


# --------------------------------------------------------------------------- pure functions


def key_shape(path: str, user_specific: bool) -> Shape:
    """Classify an endpoint as per-user, per-item (a path parameter) or a list."""
    if user_specific:
        return "user"
    segments = [s for s in path.split("/") if s]
    return "item" if any(_PARAM_SEGMENT.match(s) for s in segments) else "list"


def users_in_window(active_users: int, concurrent_users: int | None, ttl_s: float,
                    session_s: float) -> int:
    """Count the distinct users who ask within one TTL window.

    By Little's law users arrive at concurrent / session_s per second, so a window of TTL seconds
    sees the users present at its start plus those arriving during it, never more than are active.
    """
    if not concurrent_users:
        return max(1, active_users)
    in_window = math.ceil(concurrent_users * (1 + ttl_s / session_s))
    return max(1, min(active_users, in_window) if active_users else in_window)


def hit_ratio(rate_per_s: float, keys: int, ttl_s: float, zipf_s: float = 0.0) -> float:
    """Return the expected hit ratio of a TTL cache over `keys` keys.

    Uniform: h = x / (1 + x) with x = rate / keys * TTL. Zipf(s): key i is asked for with
    probability p_i proportional to i^-s and h = sum p_i * x_i / (1 + x_i), x_i = rate * p_i * TTL.
    """
    if rate_per_s <= 0 or ttl_s <= 0 or keys <= 0:
        return 0.0
    if zipf_s <= 0:
        x = rate_per_s / keys * ttl_s
        return x / (1 + x)
    return sum(n * p * _x_ratio(rate_per_s * p * ttl_s) for n, p in _zipf_bins(keys, zipf_s))


def live_keys(rate_per_s: float, keys: int, ttl_s: float, zipf_s: float = 0.0) -> float:
    """Return the expected number of keys alive in the cache at a time.

    A key is alive a share x / (1 + x) of the time (one TTL per miss cycle of 1/lambda_k + TTL).
    """
    if rate_per_s <= 0 or ttl_s <= 0 or keys <= 0:
        return 0.0
    if zipf_s <= 0:
        return keys * _x_ratio(rate_per_s / keys * ttl_s)
    return sum(n * _x_ratio(rate_per_s * p * ttl_s) for n, p in _zipf_bins(keys, zipf_s))


def ttl_for_hit_ratio(target: float, rate_per_s: float, keys: int,
                      zipf_s: float = 0.0) -> float | None:
    """Return the TTL giving the target hit ratio, or None if no TTL up to ten years does.

    Uniform inverts h = x / (1 + x): x = h / (1 - h), TTL = x / lambda_k. Zipf bisects, since the
    hit ratio never falls as the TTL grows.
    """
    if target <= 0:
        return 0.0
    if target >= 1 or rate_per_s <= 0 or keys <= 0:
        return None
    if zipf_s <= 0:
        ttl = target / (1 - target) / (rate_per_s / keys)
        return ttl if ttl <= _MAX_TTL_S else None
    return _bisect_ttl(lambda t: hit_ratio(rate_per_s, keys, t, zipf_s), target)


def response_time(hit: float, origin_ms: float, hit_ms: float) -> float:
    """Return the average response time: (1 - h) * t_origin + h * t_hit."""
    return (1 - hit) * origin_ms + hit * hit_ms


def needed_hit_ratio(target_ms: float, origin_ms: float, hit_ms: float) -> float | None:
    """Solve (1 - h) * t_origin + h * t_hit = target for h; None if even h = 1 is too slow."""
    if target_ms >= origin_ms:
        return 0.0
    if hit_ms >= origin_ms or target_ms < hit_ms:
        return None
    return (origin_ms - target_ms) / (origin_ms - hit_ms)


def memory_gib(keys: float, response_kb: float, overhead: float) -> float:
    """Return the Redis memory of `keys` cached responses: K * size * overhead, in GiB."""
    return keys * response_kb * overhead / _KIB_PER_GIB


def recommend_layers(method: str, freshness_s: float | None, user_specific: bool,
                     ) -> tuple[list[Layer], str]:
    """Pick the cache layers for an endpoint, front first, with the reason in one sentence."""
    if method != "GET":
        return [], (f"{method} changes data and is not cached; invalidate the GET keys it "
                    "affects instead (seed 001 ~698, event-driven invalidation).")
    if freshness_s is None:
        return [], "No freshness requirement is given, so no TTL can be derived; give one."
    if freshness_s < _default("layers", "min_freshness_s").value:
        return [], (f"Data must be fresher than {_fmt(freshness_s)} s, so any cache would serve "
                    "stale answers; optimise the origin instead.")
    if user_specific:
        return _user_layers(freshness_s)
    if freshness_s >= _default("layers", "cdn_min_freshness_s").value:
        return ["cdn", "redis"], (
            f"Shared data that may be {_fmt(freshness_s)} s old: a CDN edge answers most requests "
            "and Redis behind it shields the origin from each edge's misses.")
    return ["redis"], (f"Shared data fresh to {_fmt(freshness_s)} s is too short-lived for a "
                       "CDN edge; Redis in front of the origin answers the repeats.")


def _user_layers(freshness_s: float) -> tuple[list[Layer], str]:
    if freshness_s >= _default("layers", "browser_min_freshness_s").value:
        return ["browser", "redis"], (
            "Per-user data tolerant of minutes: a private browser cache (Cache-Control: private) "
            "answers the user's repeats and Redis keyed by user serves the rest; a shared CDN "
            "must not store it.")
    return ["redis"], ("Per-user data that must stay fresh: Redis keyed by user; a shared CDN "
                       "must not store it.")


# --------------------------------------------------------------------------- per endpoint


def analyse_endpoint(endpoint: Any, *, active_users: int, concurrent_users: int | None = None,
                     goal_improvement_pct: float = 80, zipf_s: float | None = None,
                     ) -> EndpointCaching:
    """Compute the caching figures for one endpoint.

    `endpoint` is an intake `Endpoint` or anything with its attributes; the optional attributes
    `distinct_keys` and `avg_response_kb` override the defaults when present.

    Raises:
        ValueError: if a GET endpoint's freshness requirement cannot be read.
    """
    skew = _default("popularity", "zipf_s").value if zipf_s is None else zipf_s
    method = str(endpoint.method).upper()
    freshness = _freshness(endpoint, method)
    layers, reason = recommend_layers(method, freshness, bool(endpoint.user_specific))
    ttl = freshness if layers else None
    shape = key_shape(endpoint.path, bool(endpoint.user_specific))
    sources: dict[str, str] = {}
    keys, keys_formula = _keys(endpoint, shape, ttl or 0.0, active_users, concurrent_users,
                               sources)
    size_kb = _response_kb(endpoint, shape, sources)
    result = _figures(endpoint, layers, ttl, keys, size_kb, skew, sources)
    result.update(path=endpoint.path, method=method, freshness_s=freshness, ttl_s=ttl,
                  key_shape=shape, distinct_keys=keys, layers=layers, reason=reason,
                  response_kb=size_kb, sources=sources)
    result["formulas"] = {"ttl_s": _ttl_formula(endpoint, freshness, ttl), "keys": keys_formula,
                          **result["formulas"]}
    result["inputs"].update(method=method, data_freshness=endpoint.data_freshness,
                            user_specific=bool(endpoint.user_specific), active_users=active_users,
                            concurrent_users=concurrent_users, zipf_s=skew)
    analysis = EndpointCaching.model_validate(result)
    _add_goal(analysis, goal_improvement_pct, skew)
    _add_notes(analysis, endpoint)
    return analysis


def _freshness(endpoint: Any, method: str) -> float | None:
    if method != "GET" or endpoint.data_freshness is None:
        return None
    return parse_freshness(str(endpoint.data_freshness), endpoint.path)


def _keys(endpoint: Any, shape: Shape, ttl_s: float, active_users: int,
          concurrent_users: int | None, sources: dict[str, str]) -> tuple[int, str]:
    given = getattr(endpoint, "distinct_keys", None)
    if given is not None:
        return max(1, int(given)), f"K = distinct_keys from the intake = {int(given)}"
    if shape == "list":
        pages = _used(sources, "keys", "list_pages")
        return int(pages), f"K = list pages and filters (default) = {int(pages)}"
    if shape == "item":
        items = _used(sources, "keys", "item_count")
        return int(items), f"K = items behind the :id (default) = {int(items)}"
    return _user_keys(ttl_s, active_users, concurrent_users, sources)


def _user_keys(ttl_s: float, active_users: int, concurrent_users: int | None,
               sources: dict[str, str]) -> tuple[int, str]:
    if not concurrent_users:
        keys = max(1, active_users)
        return keys, f"K = one key per active user = {keys}"
    session = _used(sources, "keys", "session_s")
    keys = users_in_window(active_users, concurrent_users, ttl_s, session)
    return keys, (f"K = min(active users, ceil(concurrent * (1 + TTL / session))) = "
                  f"min({active_users}, ceil({concurrent_users} * (1 + {_fmt(ttl_s)} / "
                  f"{_fmt(session)}))) = {keys}")


def _response_kb(endpoint: Any, shape: Shape, sources: dict[str, str]) -> float:
    given = getattr(endpoint, "avg_response_kb", None)
    if given is not None:
        return float(given)
    return _used(sources, "response_kb", shape)


def _figures(endpoint: Any, layers: list[Layer], ttl: float | None, keys: int, size_kb: float,
             skew: float, sources: dict[str, str]) -> dict[str, Any]:
    rpm = float(endpoint.requests_per_minute)
    origin = float(endpoint.avg_response_time_ms)
    rate = rpm / 60
    hit = hit_ratio(rate, keys, ttl, skew) if ttl else 0.0
    hit_ms = _used(sources, "hit_ms", layers[0]) if layers else None
    after = response_time(hit, origin, hit_ms) if hit_ms is not None else origin
    with_redis = "redis" in layers and ttl is not None
    overhead = _used(sources, "redis", "overhead_factor") if with_redis else 0.0
    alive = live_keys(rate, keys, ttl, skew) if with_redis and ttl else 0.0
    formulas = _endpoint_formulas(rpm, origin, keys, ttl, hit, hit_ms, after, skew)
    if with_redis:
        formulas["redis_memory_gb"] = (
            f"K * size * overhead / 1024^2 = {keys} * {_fmt(size_kb)} KiB * {_fmt(overhead)} "
            f"/ 1048576 = {_fmt(memory_gib(keys, size_kb, overhead))} GiB")
        formulas["redis_memory_live_gb"] = (
            f"live keys * size * overhead / 1024^2, live keys = sum x_i / (1 + x_i) over keys "
            f"= {_fmt(alive)} -> {_fmt(memory_gib(alive, size_kb, overhead))} GiB")
    return {
        "requests_per_minute": rpm, "origin_response_ms": origin, "hit_ratio": hit,
        "hit_ms": hit_ms, "response_ms": after, "saved_ms": origin - after,
        "improvement_pct": 100 * (1 - after / origin), "origin_rpm_saved": rpm * hit,
        "redis_memory_gb": memory_gib(keys, size_kb, overhead) if with_redis else 0.0,
        "redis_memory_live_gb": memory_gib(alive, size_kb, overhead),
        "formulas": formulas,
        "inputs": {"requests_per_minute": rpm, "avg_response_time_ms": origin,
                   "distinct_keys": keys, "response_kb": size_kb, "hit_ms": hit_ms,
                   "redis_overhead_factor": overhead or None},
    }


def _endpoint_formulas(rpm: float, origin: float, keys: int, ttl: float | None, hit: float,
                       hit_ms: float | None, after: float, skew: float) -> dict[str, str]:
    if not ttl or hit_ms is None:
        return {"hit_ratio": "not cached: h = 0", "response_ms": f"t = t_origin = {_fmt(origin)}"}
    lam_k = rpm / 60 / keys
    x = lam_k * ttl
    if skew > 0:
        hit_text = (f"h = sum p_i * x_i / (1 + x_i), x_i = lambda * p_i * TTL, "
                    f"p_i ~ i^-{_fmt(skew)} over K = {keys} keys = {_fmt(hit)}")
    else:
        hit_text = (f"h = x / (1 + x) = {_fmt(x)} / {_fmt(1 + x)} = {_fmt(hit)} "
                    "(uniform over keys)")
    return {
        "lambda_k": f"lambda_k = rpm / 60 / K = {_fmt(rpm)} / 60 / {keys} = {_fmt(lam_k)} /s",
        "x": f"x = lambda_k * TTL = {_fmt(lam_k)} * {_fmt(ttl)} = {_fmt(x)}",
        "hit_ratio": hit_text,
        "response_ms": (f"t = (1 - h) * t_origin + h * t_hit = (1 - {_fmt(hit)}) * {_fmt(origin)}"
                        f" + {_fmt(hit)} * {_fmt(hit_ms)} = {_fmt(after)} ms"),
        "improvement_pct": (f"1 - t / t_origin = 1 - {_fmt(after)} / {_fmt(origin)} = "
                            f"{_fmt(100 * (1 - after / origin))} %"),
        "origin_rpm_saved": f"rpm * h = {_fmt(rpm)} * {_fmt(hit)} = {_fmt(rpm * hit)}",
    }


def _ttl_formula(endpoint: Any, freshness: float | None, ttl: float | None) -> str:
    if ttl is None or freshness is None:
        return "not cached: no TTL"
    return f"TTL = freshness requirement = {endpoint.data_freshness!r} = {_fmt(ttl)} s"


def _add_goal(analysis: EndpointCaching, goal_pct: float, skew: float) -> None:
    if not analysis.layers or analysis.hit_ms is None or analysis.ttl_s is None:
        analysis.goal_note = "Not cached, so its response time is unchanged."
        return
    target_ms = analysis.origin_response_ms * (1 - goal_pct / 100)
    need = needed_hit_ratio(target_ms, analysis.origin_response_ms, analysis.hit_ms)
    analysis.goal_hit_ratio = need
    layer = analysis.layers[0]
    if need is None:
        analysis.goal_note = (
            f"Even h = 1 cannot reach {_fmt(goal_pct)} %: a {layer} hit takes "
            f"{_fmt(analysis.hit_ms)} ms, above the {_fmt(target_ms)} ms target."
            + _faster_layer_hint(analysis, target_ms, skew))
        return
    rate = analysis.requests_per_minute / 60
    analysis.goal_ttl_s = ttl_for_hit_ratio(need, rate, analysis.distinct_keys, skew)
    analysis.formulas["goal_hit_ratio"] = (
        f"h = (t_origin - target) / (t_origin - t_hit) = ({_fmt(analysis.origin_response_ms)} - "
        f"{_fmt(target_ms)}) / ({_fmt(analysis.origin_response_ms)} - {_fmt(analysis.hit_ms)}) "
        f"= {_fmt(need)}")
    analysis.goal_note = _goal_note(analysis, need, goal_pct)


def _faster_layer_hint(analysis: EndpointCaching, target_ms: float, skew: float) -> str:
    for layer in analysis.layers[1:]:
        hit_ms = load_caching_defaults()["hit_ms"][layer].value
        need = needed_hit_ratio(target_ms, analysis.origin_response_ms, hit_ms)
        if need is None:
            continue
        ttl = ttl_for_hit_ratio(need, analysis.requests_per_minute / 60, analysis.distinct_keys,
                                skew)
        ttl_text = f"a TTL of {_fmt(ttl)} s" if ttl is not None else "a TTL beyond ten years"
        return (f" Served from {layer} ({_fmt(hit_ms)} ms hits) it would need h = {_fmt(need)}, "
                f"{ttl_text}.")
    return ""


def _goal_note(analysis: EndpointCaching, need: float, goal_pct: float) -> str:
    if analysis.hit_ratio >= need:
        return f"Meets {_fmt(goal_pct)} % on its own (needs h >= {_fmt(need)})."
    if analysis.goal_ttl_s is None:
        return f"Needs h = {_fmt(need)} for {_fmt(goal_pct)} %, which no TTL reaches."
    return (f"Needs h = {_fmt(need)} for {_fmt(goal_pct)} %: a TTL of "
            f"{_fmt(analysis.goal_ttl_s)} s, beyond the {_fmt(analysis.ttl_s or 0)} s freshness "
            "requirement, so it needs event-driven invalidation (seed 001 ~698) or fewer keys.")


def _add_notes(analysis: EndpointCaching, endpoint: Any) -> None:
    if getattr(endpoint, "currently_cached", False):
        analysis.notes.append(
            "Already cached today: the measured response time includes today's hits, so these "
            "gains are an upper bound.")
    if analysis.layers and analysis.layers[0] == "cdn":
        analysis.notes.append(
            "Each CDN edge location misses on its own; Redis behind the CDN absorbs those misses.")


# --------------------------------------------------------------------------- aggregate


DEFAULT_GOAL_PCT = 80.0  # seed 001 exercise 2 (~763): 80 % better response times


def caching_goal_pct(intake: Intake) -> float:
    """The response-time improvement caching is held to: the intake's, else the seed's 80 %."""
    given = intake.targets.caching_improvement_pct
    return DEFAULT_GOAL_PCT if given is None else given


def analyse_endpoints(intake: Intake, *, memory_budget_gb: float | None = None,
                      goal_improvement_pct: float | None = None,
                      zipf_s: float | None = None) -> CachingAnalysis:
    """Analyse every endpoint of the intake and check the goal and the Redis budget.

    The goal is `goal_improvement_pct` when given, else the intake's
    `targets.caching_improvement_pct`, else seed 001's 80 % (exercise 2, ~763). The budget is
    `memory_budget_gb` when given (exercise 2: 16), else the memory of the intake's cache
    components.

    Raises:
        ValueError: if a GET endpoint's freshness requirement cannot be read.
    """
    if goal_improvement_pct is None:
        goal_improvement_pct = caching_goal_pct(intake)
    skew = _default("popularity", "zipf_s").value if zipf_s is None else zipf_s
    rows = [analyse_endpoint(e, active_users=intake.current.active_users,
                             concurrent_users=intake.current.concurrent_users,
                             goal_improvement_pct=goal_improvement_pct, zipf_s=skew)
            for e in intake.endpoints]
    budget, budget_source = redis_budget(intake, memory_budget_gb)
    result = CachingAnalysis(
        endpoints=rows, goal_improvement_pct=goal_improvement_pct, zipf_s=skew,
        origin_rpm_saved=sum(r.origin_rpm_saved for r in rows),
        memory_needed_gb=sum(r.redis_memory_gb for r in rows),
        memory_live_gb=sum(r.redis_memory_live_gb for r in rows),
        budget_source=budget_source,
        sources={k: v for r in rows for k, v in r.sources.items()},
    )
    _check_budget(result, budget)
    _check_goal(result, skew)
    return result


def redis_budget(intake: Intake, explicit_gb: float | None) -> tuple[float | None, str]:
    """Return the Redis memory on offer and where the figure comes from.

    Each cache component counts with one node's memory (capacity.memory_gb, else its catalogue
    size): its instances are taken as replicas holding copies, the conservative reading.
    """
    if explicit_gb is not None:
        return explicit_gb, "memory_budget_gb argument"
    total, parts = 0.0, []
    for component in intake.components:
        if component.kind != "cache":
            continue
        memory = component.capacity.memory_gb
        size = load_defaults().size(component.size) if component.size else None
        memory = memory if memory is not None else (size.memory_gb if size else None)
        if memory is not None:
            total += memory
            parts.append(f"{component.id} {_fmt(memory)} GiB")
    return (total, "cache components: " + ", ".join(parts)) if parts else (None, "")


def _check_budget(result: CachingAnalysis, budget: float | None) -> None:
    if budget is None:
        result.formulas["fits_budget"] = "no Redis budget: no memory_budget_gb, no sized cache"
        return
    usable_fraction = _default("redis", "usable_fraction")
    result.sources["redis.usable_fraction"] = usable_fraction.source
    result.memory_budget_gb = budget
    result.usable_memory_gb = budget * usable_fraction.value
    result.fits_budget = result.memory_needed_gb <= result.usable_memory_gb
    result.formulas["fits_budget"] = (
        f"sum K * size * overhead = {_fmt(result.memory_needed_gb)} GiB <= budget * usable = "
        f"{_fmt(budget)} * {_fmt(usable_fraction.value)} = {_fmt(result.usable_memory_gb)} GiB: "
        f"{result.fits_budget}")


def _check_goal(result: CachingAnalysis, skew: float) -> None:
    rows = result.endpoints
    before = sum(r.requests_per_minute * r.origin_response_ms for r in rows)
    weight = sum(r.requests_per_minute for r in rows)
    if before <= 0 or weight <= 0:
        return
    after = sum(r.requests_per_minute * r.response_ms for r in rows)
    result.before_ms, result.after_ms = before / weight, after / weight
    result.improvement_pct = 100 * (1 - after / before)
    result.goal_gap_pct = result.improvement_pct - result.goal_improvement_pct
    result.meets_goal = result.goal_gap_pct >= 0
    result.formulas["improvement_pct"] = (
        f"1 - sum(rpm * t) / sum(rpm * t_origin) = 1 - {_fmt(result.after_ms)} ms / "
        f"{_fmt(result.before_ms)} ms (request-weighted averages) = "
        f"{_fmt(result.improvement_pct)} % vs goal {_fmt(result.goal_improvement_pct)} %")
    if not result.meets_goal:
        target_sum = before * (1 - result.goal_improvement_pct / 100)
        result.gap_options = [_gap_option(r, target_sum - (after - r.requests_per_minute
                                                           * r.response_ms), skew)
                              for r in rows if r.layers and r.requests_per_minute > 0]


def _gap_option(row: EndpointCaching, allowed_sum: float, skew: float) -> GapOption:
    """Find what this endpoint alone would need so that the weighted sum meets the goal."""
    hit_ms = row.hit_ms if row.hit_ms is not None else row.origin_response_ms
    need = needed_hit_ratio(allowed_sum / row.requests_per_minute, row.origin_response_ms,
                            hit_ms) if allowed_sum > 0 else None
    if need is None:
        return GapOption(path=row.path, reachable=False, text=(
            f"{row.path}: even h = 1 (every request a {_fmt(hit_ms)} ms hit) cannot close the gap "
            "alone."))
    rate = row.requests_per_minute / 60
    ttl = ttl_for_hit_ratio(need, rate, row.distinct_keys, skew)
    max_keys = _max_keys(need, rate, row.ttl_s or 0.0) if skew <= 0 else None
    text = (f"{row.path}: raise h from {_fmt(row.hit_ratio)} to {_fmt(need)}: TTL "
            f"{_fmt(ttl) if ttl is not None else 'beyond ten years'} s instead of "
            f"{_fmt(row.ttl_s or 0)} s (longer than the freshness requirement, so invalidate on "
            "change, seed 001 ~698)")
    text += f", or at most {max_keys} keys at today's TTL (warm the hot ones)." if max_keys else "."
    return GapOption(path=row.path, reachable=ttl is not None, needed_hit_ratio=need,
                     needed_ttl_s=ttl, max_keys=max_keys, text=text)


def _max_keys(need: float, rate_per_s: float, ttl_s: float) -> int | None:
    if need >= 1 or ttl_s <= 0:
        return None
    return max(1, math.floor(rate_per_s * ttl_s / (need / (1 - need))))


# --------------------------------------------------------------------------- helpers


def _x_ratio(x: float) -> float:
    return x / (1 + x)


def _zipf_bins(keys: int, s: float) -> Iterator[tuple[float, float]]:
    """Yield (key count, probability of one key) groups of a Zipf(s) popularity over keys.

    Ranks up to 10,000 are exact; beyond, ranks are grouped in bins 1 % wide, each counted at its
    middle rank (the error is far below the model's own).
    """
    bins = list(_rank_bins(keys))
    norm = sum(n * rank ** -s for n, rank in bins)
    for n, rank in bins:
        yield n, rank ** -s / norm


def _rank_bins(keys: int) -> Iterator[tuple[float, float]]:
    for rank in range(1, min(keys, _EXACT_RANKS) + 1):
        yield 1.0, float(rank)
    start = _EXACT_RANKS + 1
    while start <= keys:
        end = min(keys, max(start, math.floor(start * _BIN_GROWTH)))
        yield float(end - start + 1), (start + end) / 2
        start = end + 1


def _bisect_ttl(hit_at: Callable[[float], float], target: float) -> float | None:
    high = 1.0
    while hit_at(high) < target:
        high *= 2
        if high > _MAX_TTL_S:
            return None
    low = 0.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if hit_at(mid) < target else (low, mid)
    return high


def _used(sources: dict[str, str], group: str, name: str) -> float:
    item = _default(group, name)
    sources[f"{group}.{name}"] = item.source
    return item.value


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
