"""The shapes of the API's bodies and answers (marshmallow; apispec turns them into the
OpenAPI document's JSON Schemas). Every text field passes through ``registry.text.clean``
(NFC, trimmed, invisible characters removed; control characters and bidi overrides
refused), as the forms' fields do."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..models import ENTRY_STATUSES, STAGES, STATUSES
from ..text import UncleanText, clean

MAX_ROWS_JSON = 20000


class Text(fields.String):
    """A string cleaned as the forms clean it; ``max_length`` after cleaning."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        if max_length is not None:
            kwargs.setdefault("validate", validate.Length(max=max_length))
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean(text)
        except UncleanText as error:
            raise ValidationError(error.message) from error


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


Id = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))


def _id(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


# --- answers -------------------------------------------------------------------------------

class PageInfo(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class CompetitionOut(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String(metadata={"description": "the kind's slug"})
    year = fields.Integer()
    stage = fields.String()
    host_region_id = fields.Integer(allow_none=True)
    host_region = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    status = fields.String()
    medallion_threshold = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True)


class CategoryOut(Schema):
    offered_category_id = fields.Integer()
    category_id = fields.Integer()
    name = fields.String()
    entries = fields.Integer()


class OfferedCompetencyOut(Schema):
    offered_competency_id = fields.Integer()
    competency_id = fields.Integer()
    competency = fields.String()
    is_team = fields.Boolean()
    team_min = fields.Integer(allow_none=True)
    team_max = fields.Integer(allow_none=True)
    categories = fields.List(fields.Nested(CategoryOut))


class PersonOut(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "the registry number, «П-000123»: stable, "
                                                    "kept by the survivor of a merge"})
    last_name = fields.String()
    first_name = fields.String()
    middle_name = fields.String(allow_none=True)
    birth_date = fields.Date()
    region_id = fields.Integer()
    region = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    organisation = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    consent_date = fields.Date(allow_none=True)
    guardian_name = fields.String(allow_none=True)
    guardian_consent_date = fields.Date(allow_none=True)
    health = fields.Dict(allow_none=True, metadata={
        "description": "only for roles that see health data (special category)"})


class MemberOut(Schema):
    person_id = fields.Integer()
    name = fields.String()


class EntryOut(Schema):
    id = fields.Integer()
    competition_id = fields.Integer()
    offered_category_id = fields.Integer()
    competency = fields.String()
    category = fields.String()
    team_name = fields.String(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    members = fields.List(fields.Nested(MemberOut))


class ProblemItem(Schema):
    field = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    item = fields.Integer(allow_none=True, metadata={
        "description": "0-based index in ``rows`` of a JSON import"})
    column = fields.String(allow_none=True)
    detail = fields.String()


class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemItem))


class ImportResult(Schema):
    ok = fields.Boolean()
    written = fields.Boolean()
    rows = fields.Integer()
    counts = fields.Dict()
    problems = fields.List(fields.Nested(ProblemItem))
    preview = fields.List(fields.Dict())


class StandingRow(Schema):
    entry_id = fields.Integer()
    name = fields.String()
    total = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    award = fields.String(allow_none=True)


class StandingCategory(Schema):
    offered_category_id = fields.Integer()
    competency = fields.String()
    category = fields.String()
    published = fields.Boolean()
    rows = fields.List(fields.Nested(StandingRow))


class Standings(Schema):
    competition_id = fields.Integer()
    categories = fields.List(fields.Nested(StandingCategory))


class AwardOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    entry_id = fields.Integer(allow_none=True)
    competition_id = fields.Integer(allow_none=True)
    source = fields.String()


class OfferOut(Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    partner = fields.String()
    kind = fields.String()
    state = fields.String()
    title = fields.String(allow_none=True)


class ExporterOut(Schema):
    identifier = fields.String()
    label = fields.String()
    filters = fields.List(fields.String())


class ExportOut(Schema):
    identifier = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw()))


class TokenOut(Schema):
    name = fields.String()
    scopes = fields.List(fields.String())
    user = fields.String()
    role = fields.String()
    expires_at = fields.DateTime(allow_none=True)


# --- bodies --------------------------------------------------------------------------------

class CompetitionIn(Strict):
    kind = Text(required=True, max_length=100, metadata={"description": "slug or short name"})
    year = fields.Integer(required=True, strict=True)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    host_region = fields.Raw(load_default=None, metadata={
        "description": "the host region (regional stage): its id or its name",
        "type": ["integer", "string"]}, allow_none=True)
    title = Text(load_default=None, allow_none=True, max_length=300)
    starts_on = fields.Date(load_default=None, allow_none=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    status = fields.String(load_default="draft", validate=validate.OneOf(STATUSES))
    medallion_threshold = fields.Decimal(load_default=None, allow_none=True, places=2,
                                         allow_nan=False, as_string=True)
    time_zone = Text(load_default=None, allow_none=True, max_length=64)


class OfferIn(Strict):
    competency = fields.Raw(required=True, metadata={
        "description": "the competency: its id or its name", "type": ["integer", "string"]})
    categories = fields.List(fields.Raw(metadata={"type": ["integer", "string"]}),
                             required=True, validate=validate.Length(min=1, max=50),
                             metadata={"description": "category ids or names"})


class PersonIn(Strict):
    last_name = Text(required=True, max_length=100)
    first_name = Text(required=True, max_length=100)
    middle_name = Text(load_default=None, allow_none=True, max_length=100)
    birth_date = fields.Date(required=True)
    region = fields.Raw(required=True, metadata={
        "description": "the region: its id or its name", "type": ["integer", "string"]})
    organisation = Text(load_default=None, allow_none=True, max_length=500)
    email = Text(load_default=None, allow_none=True, max_length=254)
    phone = Text(load_default=None, allow_none=True, max_length=40)
    consent_date = fields.Date(load_default=None, allow_none=True)
    guardian_name = Text(load_default=None, allow_none=True, max_length=300)
    guardian_consent_date = fields.Date(load_default=None, allow_none=True)


class EntryIn(Strict):
    offered_category_id = _id(required=True)
    person_ids = fields.List(_id(), required=True, validate=validate.Length(min=1, max=10))
    team_name = Text(load_default=None, allow_none=True, max_length=200)


class EntryStatusIn(Strict):
    status = fields.String(required=True, validate=validate.OneOf(ENTRY_STATUSES))
    reason = Text(load_default=None, allow_none=True, max_length=500)


class ImportIn(Strict):
    rows = fields.List(fields.Dict(keys=fields.String(validate=validate.Length(max=200))),
                       required=True, validate=validate.Length(min=1, max=MAX_ROWS_JSON),
                       metadata={"description": "one object per row, keyed by the import's "
                                                "column keys or headers (as the file's "
                                                "header row names them)"})


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
