"""What to do and what it returns: the phased roadmap, the price of each task, the business case.

May import: analysis and everything below it.
"""

