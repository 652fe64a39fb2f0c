"""Exporters: the registry, and one module per export (importing a module registers it)."""
from . import internships, participants, results, winners  # noqa: F401
from .base import EXPORTERS, FILTERS, Column, Exporter, register  # noqa: F401
