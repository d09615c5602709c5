"""The `archreview` command line, one module per command group.

Top layer: may import everything; calls the public `assistant.review()` and the report writers.
"""
