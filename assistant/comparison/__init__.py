"""Diff two reviews of an architecture (files or git revisions): findings, capacity, cost deltas.

May import: the public `assistant.review()` API, workflow and everything below it.
"""
