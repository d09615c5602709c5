"""The intake: what a team tells archreview (schema, money, business inputs) and loading it with precise errors.

Lowest domain layer: imports nothing of archreview but `i18n`.
"""
