"""What the computed capacity means: rules, costs, configurations, caching, score, monitoring.

Rules and findings, baseline costs, target configurations, endpoint caching, the scorecard and
the monitoring plan. May import: capacity and below.
"""
