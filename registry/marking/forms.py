from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..fields import DateField, id_or_none
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..labels import AWARD_LABELS  # noqa: F401  (re-exported for the views)

ASPECT_KIND_LABELS = {"measurement": _l("measurement"), "judgement": _l("judgement")}
SHEET_STATUS_LABELS = {"draft": _l("draft"), "submitted": _l("submitted"),
                       "confirmed": _l("confirmed")}
ASSIGNMENT_ROLE_LABELS = {"chief": _l("chief expert"), "deputy": _l("deputy chief expert"),
                          "expert": _l("expert")}
VERSION_ACTION_LABELS = {"save": _l("marks saved"), "withdraw": _l("withdrawn for changes"),
                         "submit": _l("submitted to the chief expert"),
                         "confirm": _l("confirmed and locked"),
                         "override": _l("confirmed by an organiser's override"),
                         "unlock": _l("unlocked")}


def _int_or_none(value):
    return id_or_none(value) if value != "None" else None  # not an id → invalid choice


class AssignmentForm(RegistryForm):
    offered_competency = SelectField(_l("Competency"), coerce=int,
                                     validators=[DataRequired()])
    user = SelectField(_l("Expert"), coerce=int, validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=list(ASSIGNMENT_ROLE_LABELS.items()),
                       default="expert")
    organisation = SelectField(_l("Organisation (mentor of its participants)"),
                               coerce=_int_or_none, validators=[Optional()])
    region = SelectField(_l("Region (do not mark participants from it)"),
                         coerce=_int_or_none, validators=[Optional()])
    submit = SubmitField(_l("Assign"))


class ConfirmForm(RegistryForm):
    """A bare form: the CSRF token of a POST button."""

    submit = SubmitField(_l("Confirm"))


class CriterionForm(RegistryForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=10)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    add_criterion = SubmitField(_l("Add criterion"))


class AspectForm(RegistryForm):
    criterion = SelectField(_l("Criterion"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Aspect"), validators=[DataRequired(), Length(max=500)])
    max_marks = StringField(_l("Maximum marks"), validators=[DataRequired(), Length(max=10)])
    kind = SelectField(_l("Type"), choices=list(ASPECT_KIND_LABELS.items()))
    add_aspect = SubmitField(_l("Add aspect"))


class UploadForm(RegistryForm):
    file = FileField(_l("File (XLSX or CSV)"), validators=[
        FileRequired(), FileAllowed(["xlsx", "csv"], _l("An XLSX or CSV file, please."))])
    submit = SubmitField(_l("Upload"))


class SheetForm(RegistryForm):
    """The CSRF token and the version the page was based on; the marks are read by name."""

    version = HiddenField(default="0")
    withdraw = BooleanField()  # the expert confirmed that saving a submitted sheet withdraws it
    save = SubmitField(_l("Save"))


class SheetActionForm(RegistryForm):
    version = HiddenField(default="")
    submit = SubmitField(_l("Submit"))


class UnlockForm(RegistryForm):
    version = HiddenField(default="")
    reason = StringField(_l("Reason for unlocking"), validators=[DataRequired(),
                                                                 Length(max=500)])
    submit = SubmitField(_l("Unlock"))


class OverrideForm(RegistryForm):
    version = HiddenField(default="")
    reason = StringField(_l("Reason for the override"), validators=[DataRequired(),
                                                                    Length(max=500)])
    submit = SubmitField(_l("Confirm by override"))


class AuditFilterForm(RegistryForm):
    class Meta:
        csrf = False

    competition = SelectField(_l("Competition"), coerce=_int_or_none, validators=[Optional()],
                              validate_choice=False)
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    user = SelectField(_l("User"), coerce=_int_or_none, validators=[Optional()],
                       validate_choice=False)
    date_from = DateField(_l("Date from"), validators=[Optional()])
    date_to = DateField(_l("Date to"), validators=[Optional()])
    page = IntegerField(default=1, validators=[Optional()])
    submit = SubmitField(_l("Filter"))


class PublishForm(RegistryForm):
    """Publish one competency (``competency``: its offered-competency id) or, empty, the whole
    competition."""

    competency = HiddenField()
    submit = SubmitField(_l("Publish"))


class NotHeldForm(RegistryForm):
    """Declare a competency not held (не состоялась), with the reason."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Declare not held"))
