"""Every fixed string of the product in English and German, and number formatting per language.

Foundation: imports nothing of archreview, and every layer may import it.
"""

