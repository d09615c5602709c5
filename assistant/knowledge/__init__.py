"""Pattern cards (`knowledge/*.md`), their hybrid BM25 + vector search, and the offline embedder.

May import: intake, catalogue. The index libraries (chromadb, onnxruntime) load only when searched.
"""
