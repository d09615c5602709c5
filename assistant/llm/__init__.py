"""The LLM path: providers, prompts, the shared facts prefix, ask (validate + repair), grounding, run log.

May import: assessment and below.
"""
