"""One review assembled: computed `Facts`, judgment sections, the offline analyzer, `Review`.

May import: planning and everything below it; an LLM may judge these facts, never change them.
"""

