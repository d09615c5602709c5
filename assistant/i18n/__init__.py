"""Every fixed string of the product in English and German, and number formatting per language.

Foundation layer: imports nothing of archreview; every layer may use it.
"""
