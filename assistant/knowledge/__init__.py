"""Pattern cards (`knowledge/*.md`), their hybrid BM25 + vector search and the offline embedder.

May import: catalogue, intake and the foundation; chromadb and onnxruntime load only to search.
"""

