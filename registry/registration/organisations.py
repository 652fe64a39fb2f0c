"""Organisation pages of the registration blueprint: the list and the create / edit form."""
from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    Organisation,
)
from ..security import requires
from ..services import registration as reg
from ..text import quoted
from ..views import refusals
from . import queries
from .forms import (
    ORGANISATION_KIND_LABELS,
    OrganisationForm,
    _blank_choice,
)
from .routes import _FIELD_ALIASES, _int_arg, _page_arg, _per_page, bp


@bp.route("/organisations")
@requires("persons.view")
def organisations():
    q = request.args.get("q", "").strip()
    region_id = _int_arg("region_id")
    page = queries.organisations(q=q, region_id=region_id, page=_page_arg(),
                                 per_page=_per_page())
    return render_template(
        "registration/organisations.html", page=page, q=q, region_id=region_id,
        regions=queries.region_choices(), kind_labels=ORGANISATION_KIND_LABELS,
    )


def _organisation_form(organisation: Organisation | None):
    form = OrganisationForm(obj=organisation)
    form.region_id.choices = _blank_choice() + queries.region_choices()
    if form.validate_on_submit():
        region = queries.region(form.region_id.data)
        with refusals(form, _FIELD_ALIASES) as attempt:
            if organisation is None:
                organisation = reg.create_organisation(form.name.data, region, form.kind.data,
                                                       actor=current_user)
            else:
                reg.update_organisation(organisation, name=form.name.data, region=region,
                                        kind=form.kind.data, actor=current_user)
        if attempt.ok:
            flash(_("Organisation %(name)s saved.", name=quoted(organisation.name)), "success")
            return redirect(url_for("registration.organisations",
                                    q=organisation.name, region_id=organisation.region_id))
    return render_template("registration/organisation_form.html", form=form,
                           organisation=organisation)


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires("persons.manage")
def organisation_create():
    return _organisation_form(None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires("persons.manage")
def organisation_edit(organisation_id: int):
    return _organisation_form(db.get_or_404(Organisation, organisation_id))


