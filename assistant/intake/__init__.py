"""The intake: what a team tells archreview (schema, money, business inputs) and its loading.

Lowest domain layer: imports only the foundation (`i18n`, `settings`, `version`).
"""

