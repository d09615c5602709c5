"""Sizes, prices, per-instance throughput, thresholds and their data files, each with its source.

May import: intake.
"""
