"""Wire the review workflow. This module only wires: the nodes do the work.

load -> validate -> capacity -> rules -> retrieve -> (bottlenecks, cost/performance and the
focused audits in one superstep) -> roadmap -> roi -> verify -> render. LLM nodes retry only
transient provider errors, then an error handler falls back to the offline section and the run
carries on. Offline runs take the same path with no provider.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import RetryPolicy

from assistant.llm.providers.base import TransientProviderError
from assistant.workflow import nodes
from assistant.workflow.state import ReviewState, RunContext

LLM_RETRY = RetryPolicy(max_attempts=2, initial_interval=1.0, retry_on=TransientProviderError)
PARALLEL = ("bottlenecks", "cost_performance", "database", "performance_audit", "caching")
STATE_KEYS = {"bottlenecks": "analysis", "cost_performance": "cost_review",
              "database": "advice", "performance_audit": "advice", "caching": "advice"}


def build_graph(
    checkpointer: object | None = None,
) -> CompiledStateGraph[ReviewState, RunContext, ReviewState, ReviewState]:
    """Build and compile the review workflow."""
    graph = StateGraph(ReviewState, context_schema=RunContext)
    for name in ("load", "validate", "capacity", "rules", "retrieve", "verify"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_node("render", nodes.render_reports)
    for name in PARALLEL:
        graph.add_node(name, getattr(nodes, name), retry_policy=LLM_RETRY,
                       error_handler=nodes.fallback_handler(name, STATE_KEYS[name], "roadmap"))
    graph.add_node("roadmap", nodes.roadmap, retry_policy=LLM_RETRY,
                   error_handler=nodes.fallback_handler("roadmap", "roadmap_plan", "roi"))
    graph.add_node("roi", nodes.roi, retry_policy=LLM_RETRY,
                   error_handler=nodes.fallback_handler("roi", "roi_case", "verify"))
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
