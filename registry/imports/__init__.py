"""Importing participants through the web: upload → preview of every row → confirm."""
