"""The deterministic capacity model: demand, compute and data tiers, sizing, queueing, latency, availability.

May import: intake, catalogue.
"""
