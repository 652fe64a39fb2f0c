"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""
from registry import create_app, process

app = create_app()

# what the start made kept out of the collector's passes, the young generation collected
# less often (``registry/process.py`` says why, with the figures)
process.settle()
