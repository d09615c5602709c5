"""LLM providers behind one small seam (`base.Provider`); one adapter per wire format.

Part of the llm layer; the SDKs load only when an adapter is built.
"""

