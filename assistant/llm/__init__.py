"""The LLM path: providers, prompts, the facts prefix, ask (validate + repair), grounding, run log.

May import: assessment and everything below it (not report: the two are independent). `ask`
validates, grounds and repairs an answer, bounds a step's time and falls back.
"""
