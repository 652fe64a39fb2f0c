"""Forms of the diplomas pages."""
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..services.diplomas import LIMITS


class BulkForm(RegistryForm):
    format = RadioField(_l("Format"), choices=[
        ("pdf", _l("One PDF with a page per diploma")),
        ("zip", _l("ZIP with one PDF per diploma, named by surname"))], default="pdf")
    participation = BooleanField(_l("Also a participation certificate for every entry"))
    submit = SubmitField(_l("Issue and download"))


class OneForm(RegistryForm):
    subject = HiddenField(validators=[DataRequired()])


def _text(label, name, required=False, description=None):
    validators = [DataRequired()] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=LIMITS[name])],
                       description=description)


class TemplateForm(RegistryForm):
    title = _text(_l("Title"), "title", required=True)
    intro = _text(_l("Line before the name"), "intro",
                  description=_l("For example «награждается»."))
    award_line = _text(_l("Award line"), "award_line",
                       description=_l("Under the name; a special award prints its own title."))
    issuer = _text(_l("Issuing organisation"), "issuer")
    signatory_1 = _text(_l("First signatory"), "signatory_1",
                        description=_l("A position; the line for the signature follows it."))
    signatory_2 = _text(_l("Second signatory"), "signatory_2")
    footer = _text(_l("Footer"), "footer")
    background = FileField(_l("Background image (PNG or JPEG, A4 landscape)"),
                           description=_l("At most 2 MB and 4000 × 4000 pixels."))
    remove_background = BooleanField(_l("Remove the background image"))
    submit = SubmitField(_l("Save"))


class ResetForm(RegistryForm):
    submit = SubmitField(_l("Restore the default texts"))
