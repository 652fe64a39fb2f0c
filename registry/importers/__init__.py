"""Importers: reading spreadsheets (``spreadsheet``) and validating and writing what they hold
(``participants``). Parsing never writes; ``apply`` writes a validated plan in one transaction."""
