"""Exporters: the registry, and one module per export (importing a module registers it,
in the order the export page lists them)."""
from . import winners  # noqa: F401,I001  (winners and medals first: what coordinators need most)
from . import results  # noqa: F401
from . import participants  # noqa: F401
from . import internships  # noqa: F401
from .base import EXPORTERS, FILTERS, Column, Exporter, register  # noqa: F401
