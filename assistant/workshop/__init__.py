"""Workshop exercises built from the seeds, reference answers computed by archreview, scoring.

May import: the public `assistant.review()` API, workflow and everything below it.
"""
