"""Importers: participants, results protocols and marking schemes, in one shape.

``spreadsheet`` reads XLSX/CSV into rows; ``base`` maps the header to a column spec and
gives rows, problems («Row N, «column»: …») and the plan; ``cells`` parses dates, numbers,
places, names and award words. Building a plan never writes; ``apply`` writes a checked plan
and flushes, and the request or command commits once (``registry/transaction.py``).
``routes`` (blueprint ``imports``) is upload → preview → confirm for participants and results,
with the uploads waiting in ``uploads``; ``commands`` is ``flask import …``."""
