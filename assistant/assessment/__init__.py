"""One review's computed `Facts`, the judgment sections, the offline analyzer that writes them, and `Review`.

May import: planning and below. Everything an LLM may judge is assembled here.
"""
