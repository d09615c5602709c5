"""The LLM path: providers, prompts, the shared facts prefix, ask, grounding, run log.

`ask` validates, grounds and repairs an answer, bounds a step's time and falls back.

May import: assessment and below.
"""
