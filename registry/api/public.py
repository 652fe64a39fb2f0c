"""Public reads without a token (issue 15, point 2): released competitions, their published
results and medal tables — only what the public pages show.

Left for when the public release of competitions (issue 14) is merged: its rule of what is
released is the one these reads must call (one place for each rule), so none is invented here.
The views go on ``routes.bp`` with ``@operation(..., permission=None)``, paged with cursors
and answering ETag / If-None-Match.
"""
