"""The medal table by region as a page (``/medals``) with its chart, and the charts of a
competition's results page (``figures``); the SVG itself is drawn by ``registry.charts``."""
