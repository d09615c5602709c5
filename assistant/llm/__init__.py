"""The LLM path: providers, prompts, the facts prefix, ask (validate + repair), grounding, run log.

May import: assessment and everything below it (not report: the two are independent).
"""

