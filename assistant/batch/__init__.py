"""Review many intake files in one run: discovery, resumable runs, parallel jobs, the summary.

May import: the public `assistant.review()` API, workflow and everything below it.
"""
