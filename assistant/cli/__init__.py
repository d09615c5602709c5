"""The `archreview` command line, one module per command group, wired in `app.py`.

Top layer: may import every layer; runs reviews only through `assistant.review()`.
"""

