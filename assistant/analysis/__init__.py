"""What the capacity means: rules, costs, target configurations, caching, score, monitoring.

May import: capacity, knowledge and everything below them.
"""

