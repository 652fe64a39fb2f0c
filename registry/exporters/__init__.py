"""Exporters: the registry, the output formats, and one module per export (importing a module
registers it, in the order the export page lists them). The export page (``routes``, blueprint
``exports``), the ``flask export`` command (``cli``) and the run with its audit entry
(``service``) live here too."""
from . import render  # noqa: F401,I001  (the output formats, before any exporter declares them)
from . import winners  # noqa: F401  (winners and medals first: what coordinators need most)
from . import results  # noqa: F401
from . import participants  # noqa: F401
from . import history  # noqa: F401
from . import internships  # noqa: F401
from .base import EXPORTERS, OUTPUT_FORMATS, Column, Exporter, register, unregister  # noqa: F401
from .filters import Filter  # noqa: F401
