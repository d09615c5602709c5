"""Sizes, prices, per-instance throughput, thresholds and their data files, each figure with its source.

May import: intake.
"""
