"""What to do and what it returns: the phased roadmap, task pricing and the business case.

May import: analysis and below.
"""
