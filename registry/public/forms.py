"""The public pages' GET forms (filters and the search): they change nothing, so no CSRF
token (and no session: the pages stay cacheable)."""
from __future__ import annotations

from wtforms import SearchField, SelectField
from wtforms.validators import Optional

from ..fields import id_or_none
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..labels import STAGE_LABELS


def _year(value):
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(value)
    return int(text)


class PublicForm(RegistryForm):
    class Meta:
        csrf = False


class CompetitionFilterForm(PublicForm):
    kind = SelectField(_l("Competition kind"), coerce=id_or_none, validators=[Optional()])
    year = SelectField(_l("Year"), coerce=_year, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()],
                        choices=[("", _l("All stages")), *STAGE_LABELS.items()])
    region = SelectField(_l("Host region"), coerce=id_or_none, validators=[Optional()])


class MedalFilterForm(PublicForm):
    kind = SelectField(_l("Competition kind"), coerce=id_or_none, validators=[Optional()])
    year = SelectField(_l("Year"), coerce=_year, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()],
                        choices=[("", _l("All stages")), *STAGE_LABELS.items()])


class SearchForm(PublicForm):
    q = SearchField(_l("Surname"), validators=[Optional()])
