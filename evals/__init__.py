"""Evals for archreview: retrieval quality of the knowledge base."""
