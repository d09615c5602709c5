"""archreview: an architecture review assistant for scaling.

The package computes capacity, findings, a roadmap and a business case from a structured
intake; an LLM (optional) adds judgment on top of those computed facts.
"""

__version__ = "0.1.0"
