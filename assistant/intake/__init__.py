"""The intake: what a team tells archreview (schema, money, business inputs) and loading it.

Loading reports every mistake precisely. Lowest domain layer: imports nothing of archreview
but `i18n`.
"""
