"""One review's computed `Facts`, the judgment sections, the offline analyzer, and `Review`.

The offline analyzer writes the judgment sections. May import: planning and below. Everything
an LLM may judge is assembled here.
"""
