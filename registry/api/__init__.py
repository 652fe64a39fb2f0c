"""The JSON API under ``/api/v1`` (issue 15): a thin layer over the same operations, queries,
permissions and audit as the web pages.

- ``tokens.py``: issuing, finding and revoking bearer tokens (stored hashed);
- ``auth.py``: the ``@operation`` decorator every API view wears (role permission, token
  scope, the body's schema, the OpenAPI description), the bearer-token check and the rate
  limits (``ratelimit.py``, counters in the database);
- ``problems.py``: every error as RFC 9457 problem details;
- ``idempotency.py``: ``Idempotency-Key`` on creating POSTs;
- ``schemas.py``: the marshmallow schemas of bodies and answers;
- ``routes.py``: the blueprint, its error handlers and ``/token``; the endpoints in a module
  a resource on it (``competitions.py``, ``persons.py``, ``entries.py``, ``imports.py``,
  ``results.py``, ``exports.py``), their helpers in ``helpers.py``, the answers' shapes in
  ``serialisers.py``; ``public.py``: the reads without a token (issue 15 point 2,
  the public release: a separate place, to be filled when that is merged);
- ``openapi.py``: the OpenAPI 3.1 document (apispec) and its readable page;
- ``admin.py``: the administrator's token pages; ``cli.py``: ``flask tokens create``.
"""
