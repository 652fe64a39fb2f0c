"""The OpenAPI 3.1 document of ``/api/v1``, generated from the code: every rule of the
blueprint in ``app.url_map`` with the ``@operation`` its view declares (permission, scope,
body and answer schemas), through apispec and its marshmallow plugin, which writes the schemas
as JSON Schema 2020-12 (the dialect of OpenAPI 3.1: ``type: [string, "null"]``). Served at
``/api/v1/openapi.json``; ``/api/v1/docs`` is a page of it rendered by the application
itself (no script, nothing from another host).

apispec (marshmallow-code, the generator flask-smorest is built on) was chosen over
flask-smorest, which installs application-wide HTTP error handlers that would answer the web
pages' errors too, and over flask-openapi3 / spectree, which replace Flask's view signatures
with pydantic models: here the views stay plain Flask views, and the document is assembled
from their declarations.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template

from ..i18n import lazy_gettext as _l
from . import schemas
from .auth import operation
from .helpers import _json
from .routes import bp

VERSION = "1.0.0"
_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
ERRORS = {
    400: "The request cannot be read",
    401: "No token, or an invalid, expired or revoked one",
    403: "The role or the token's scope does not allow this",
    404: "Not found (or not yours to know of)",
    409: "A version conflict (If-Match), a duplicate, or a request with this Idempotency-Key "
         "still running",
    413: "The request is too large",
    415: "The body is not JSON",
    422: "Invalid fields or rows: `errors` names each field, or row and column",
    429: "Rate-limited: per token and per address; see Retry-After",
}


def _schema_name(schema) -> str:
    return schema.__name__


def _path(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match):
        converter, name = match.group(1) or "string", match.group(2)
        kind = {"int": "integer"}.get(converter, "string")
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": kind}})
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule), parameters


def api_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")),
                  key=lambda r: r.rule)


def build(app) -> dict:
    spec = APISpec(
        title="Registry of vocational-skills competitions: API", version=VERSION,
        openapi_version="3.1.0", plugins=[MarshmallowPlugin()],
        info={"description": "Token reads and writes with the same rules, permissions and "
                             "audit as the web pages. Errors are RFC 9457 problem details "
                             "(application/problem+json). See docs/api.md."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in (schemas.Problem, schemas.PageInfo):
        spec.components.schema(_schema_name(schema), schema=schema)
    seen: set[str] = set()
    paths: dict[str, dict] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        described = getattr(view, "api_operation", None)
        if described is None:
            continue
        path, parameters = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {"parameters": parameters})[method.lower()] = \
                _operation(spec, seen, rule, described, method)
    for path, operations in paths.items():
        spec.path(path=path, operations={k: v for k, v in operations.items()
                                         if k != "parameters"},
                  parameters=operations["parameters"])
    return spec.to_dict()


def _ref(spec, seen: set[str], schema) -> dict:
    name = _schema_name(schema)
    if name not in seen:
        seen.add(name)
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(spec, seen, rule, described, method: str) -> dict:
    op: dict = {"operationId": rule.endpoint.split(".", 1)[1], "summary": str(described.summary),
                "tags": [described.tag or "api"], "responses": {}}
    if described.permission is not None:
        op["security"] = [{"bearer": []}]
        op["description"] = (f"Role permission `{described.permission}`"
                             + (f", token scope `{described.scope}`" if described.scope
                                else "") + ".")
        op["x-permission"] = described.permission
        if described.scope:
            op["x-scope"] = described.scope
    else:
        op["security"] = []
    parameters = []
    if method == "GET" and described.many:
        parameters += [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": 500}}]
    if described.query is not None:
        plugin = next(p for p in spec.plugins if isinstance(p, MarshmallowPlugin))
        parameters += plugin.converter.schema2parameters(described.query, location="query")
    if described.etag and method == "GET":
        parameters.append({"name": "If-None-Match", "in": "header",
                           "schema": {"type": "string"},
                           "description": "The ETag read; the same version is 304"})
    if described.creates:
        parameters.append({"name": "Idempotency-Key", "in": "header",
                           "schema": {"type": "string", "maxLength": 200},
                           "description": "A retry with the same key gets the first answer"})
    if described.etag and method == "PATCH":
        parameters.append({"name": "If-Match", "in": "header", "schema": {"type": "string"},
                           "description": "The ETag read; another version is 409"})
    if parameters:
        op["parameters"] = parameters
    if described.body is not None:
        content = {"application/json": {"schema": _ref(spec, seen, described.body)}}
        if described.upload:
            content["multipart/form-data"] = {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "contentMediaType":
                                        "application/octet-stream"}}}}
        op["requestBody"] = {"required": True, "content": content}
    status = "201" if described.creates else "200"
    if described.response is not None:
        answer = _ref(spec, seen, described.response)
        if described.many:
            answer = {"type": "object", "properties": {
                "items": {"type": "array", "items": answer},
                "page": {"$ref": "#/components/schemas/PageInfo"}}}
        op["responses"][status] = {"description": "OK",
                                   "content": {described.produces: {"schema": answer}}}
    else:
        op["responses"][status] = {"description": "OK"}
    if described.etag and method == "GET":
        op["responses"]["304"] = {"description": "Not modified: the If-None-Match named the "
                                                 "current ETag"}
    problem = {"application/problem+json": {"schema": {"$ref":
                                                        "#/components/schemas/Problem"}}}
    codes = [429]
    if described.permission is not None:
        codes += [401, 403, 404]
    if method in ("POST", "PATCH"):
        codes += [400, 413, 415, 422]
    if described.etag and method == "PATCH" or described.creates:
        codes.append(409)
    for code in sorted(set(codes) | set(described.statuses)):
        op["responses"].setdefault(str(code), {"description": ERRORS.get(code, "Error"),
                                               "content": problem})
    return op


@bp.route("/openapi.json")
@operation(_l("This document (OpenAPI 3.1)"), permission=None, tag="meta")
def document():
    return _json(build(current_app))


@bp.route("/docs")
@operation(_l("A readable page of this document"), permission=None, tag="meta",
           produces="text/html")
def docs():
    document_ = build(current_app)
    operations = [(path, method.upper(), op) for path, item in document_["paths"].items()
                  for method, op in item.items() if method != "parameters"]
    return render_template("api/docs.html", document=document_, operations=operations,
                           schemas=document_["components"]["schemas"])
