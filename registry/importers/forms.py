from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l


class UploadForm(RegistryForm):
    file = FileField(
        _l("Spreadsheet (XLSX or CSV)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l("CSV in UTF-8 or Windows-1251, separated by «;» or «,»."),
        render_kw={"accept": ".xlsx,.csv,.txt"},
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(RegistryForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


class CancelForm(RegistryForm):
    submit = SubmitField(_l("Cancel"))
