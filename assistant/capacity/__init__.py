"""The capacity model: demand, compute and data tiers, sizing, queueing, latency, availability.

May import: catalogue, intake and the foundation (not knowledge: the two are independent).
"""

