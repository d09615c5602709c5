"""The LangGraph review workflow: state, nodes, the graph's wiring, checkpoints, running a review.

May import: llm, report and everything below them.
"""

