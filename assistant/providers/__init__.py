"""LLM providers behind one small seam; see `base.py` for the contract."""
