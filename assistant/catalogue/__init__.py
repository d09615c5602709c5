"""Sizes, prices, per-instance throughput and thresholds, each with its source, and their files.

May import: intake and the foundation.
"""

