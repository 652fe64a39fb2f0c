from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from ..labels import AWARD_LABELS, STAGE_LABELS
from ..models import STAGES


class ExportForm(FlaskForm):
    """Filters, format and language of an export (a GET form: exporting changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Competition kind"), choices=[], validate_choice=False)
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    stage = SelectField(_l("Stage"), validate_choice=False, choices=lambda: [("", "—")] + [
        (s, STAGE_LABELS[s]) for s in STAGES])
    competition = SelectField(_l("Competition"), choices=[], validate_choice=False)
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    competency = SelectField(_l("Competency"), choices=[], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    award = SelectField(_l("Award"), validate_choice=False, choices=lambda: [("", "—")] + list(
        AWARD_LABELS.items()))
    format = SelectField(_l("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")])
    delimiter = SelectField(_l("CSV delimiter"), choices=[(";", ";"), (",", ",")])
    lang = SelectField(_l("Language"), choices=[("ru", "Русский"), ("en", "English")])
