"""The LangGraph review workflow: state, nodes, graph wiring, checkpoints, and running one review.

May import: llm, report and below.
"""
