from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


class UploadForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (XLSX or CSV)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l("CSV in UTF-8 or Windows-1251, separated by «;» or «,»."),
        render_kw={"accept": ".xlsx,.csv,.txt"},
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel"))
