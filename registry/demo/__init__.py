"""Demo data: a realistic season of the three competitions, for demo databases only.

``flask --app wsgi demo load [--scale N] [--seed S] [--if-empty | --append]``; see ``cli.py``.
"""
