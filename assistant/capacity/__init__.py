"""The deterministic capacity model: demand, compute and data tiers, sizing, queueing, latency.

Also availability and shared hosts. May import: intake, catalogue.
"""
