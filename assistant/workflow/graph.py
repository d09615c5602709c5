"""Wire the review workflow. This module only wires: the nodes do the work.

load -> validate -> capacity -> rules -> retrieve -> (bottlenecks, cost/performance and the
focused audits in one superstep) -> roadmap -> roi -> verify -> render. Offline runs take the
same path with no provider.

No node is retried here: the SDK retries transient provider errors (one retry layer, not two)
and `ask` turns what is left, and a step running out of time, into the offline section. So
the error handler of an LLM node only ever sees programming errors: with
`internal_errors="fallback"` it shows the offline section labelled internal error and the run
carries on; with `"raise"` (tests) there is no handler and the error propagates unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from assistant.workflow import nodes
from assistant.workflow.state import ReviewState, RunContext

InternalErrors = Literal["fallback", "raise"]
PARALLEL = ("bottlenecks", "cost_performance", "database", "performance_audit", "caching")
STATE_KEYS = {"bottlenecks": "analysis", "cost_performance": "cost_review",
              "database": "advice", "performance_audit": "advice", "caching": "advice"}


def build_graph(
    checkpointer: object | None = None, *, internal_errors: InternalErrors = "fallback",
) -> CompiledStateGraph[ReviewState, RunContext, ReviewState, ReviewState]:
    """Build and compile the review workflow.

    Args:
        checkpointer: a LangGraph checkpointer, for `--resume`.
        internal_errors: `fallback` gives each LLM node a handler for programming errors;
            `raise` leaves them to propagate.
    """
    graph = StateGraph(ReviewState, context_schema=RunContext)
    for name in ("load", "validate", "capacity", "rules", "retrieve", "verify"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_node("render", nodes.render_reports)
    for name in PARALLEL:
        graph.add_node(name, getattr(nodes, name),
                       **_on_error(internal_errors, name, STATE_KEYS[name], "roadmap"))
    graph.add_node("roadmap", nodes.roadmap,
                   **_on_error(internal_errors, "roadmap", "roadmap_plan", "roi"))
    graph.add_node("roi", nodes.roi, **_on_error(internal_errors, "roi", "roi_case", "verify"))
    chain = ("load", "validate", "capacity", "rules", "retrieve")
    graph.add_conditional_edges(START, nodes.entry_step, ["load", "validate"])
    for first, second in zip(chain, chain[1:], strict=False):
        graph.add_edge(first, second)
    for name in PARALLEL:
        graph.add_edge("retrieve", name)
        graph.add_edge(name, "roadmap")
    graph.add_edge("roadmap", "roi")
    graph.add_edge("roi", "verify")
    graph.add_edge("verify", "render")
    graph.add_edge("render", END)
    return graph.compile(checkpointer=checkpointer)  # type: ignore[arg-type]


def _on_error(internal_errors: InternalErrors, step: str, key: str,
              next_node: str) -> dict[str, Any]:
    """The node options for a step's programming errors: a fallback handler, or none."""
    if internal_errors == "raise":
        return {}
    return {"error_handler": nodes.fallback_handler(step, key, next_node)}
