"""Administration: user accounts and the reference data (competencies, categories)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..fields import choices, parse_id
from ..i18n import gettext as _
from ..models import CompetitionKind, User
from ..security import requires
from ..services import reference as reference_service
from ..services import regions as region_service
from ..services import users as user_service
from ..views import refusals
from .forms import (
    ROLE_LABELS,
    AliasForm,
    CategoryForm,
    CompetencyForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)

bp = Blueprint("admin", __name__)


@bp.route("/users")
@requires("users.manage")
def users():
    role = request.args.get("role", "")
    state = request.args.get("state", "")
    filters = user_service.UserFilters(
        q=request.args.get("q", "").strip() or None,
        role=role if role in ROLE_LABELS else None,
        state=state if state in user_service.USER_STATES else None,
    )
    page = user_service.find_users(filters, page=parse_id(request.args.get("page", "")) or 1,
                                   per_page=int(current_app.config.get("PAGE_SIZE", 50)))
    args = {k: v for k, v in (("q", filters.q), ("role", filters.role),
                              ("state", filters.state)) if v}
    return render_template("admin/users.html", page=page, users=page.items, filters=filters,
                           args=args, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("users.manage")
def user_create():
    form = UserCreateForm()
    if form.validate_on_submit():
        with refusals(form) as attempt:
            user = user_service.create_user(
                form.email.data, form.role.data, form.password.data, form.name.data,
                actor=current_user,
            )
        if attempt.ok:
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("users.manage")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        if user.active and not form.active.data and not form.confirmed.data:
            # Deactivating: say what will happen, and change it when that page is confirmed.
            return render_template("admin/user_deactivate_confirm.html", form=form, user=user)
        with refusals(form) as attempt:
            user_service.update_user(
                user, name=form.name.data, role=form.role.data, active=form.active.data,
                actor=current_user,
            )
        if attempt.ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, password_form=PasswordResetForm()
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@requires("users.manage")
def user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        with refusals() as attempt:
            user_service.reset_password(user, form.password.data, actor=current_user)
        if attempt.ok:
            flash(_("The password of %(email)s has been changed.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/regions")
@requires("refdata.view")
def regions():
    return render_template("admin/regions.html", regions=region_service.regions_by_code())


@bp.route("/competencies")
@requires("refdata.view")
def competencies():
    return render_template("admin/competencies.html",
                           kinds=reference_service.kinds_with_categories(),
                           competencies=reference_service.competencies_with_kinds())


def _kind_choices():
    return choices((k.id, k.short_name) for k in reference_service.competition_kinds())


@bp.route("/competencies/new", methods=["GET", "POST"])
@requires("refdata.manage")
def competency_create():
    form = CompetencyForm()
    form.kinds.choices = _kind_choices()
    if form.validate_on_submit():
        kinds = [db.get_or_404(CompetitionKind, kind_id) for kind_id in form.kinds.data]
        with refusals(form) as attempt:
            competency = reference_service.create_competency(
                form.name.data, code=form.code.data, kinds=kinds, is_team=form.is_team.data,
                actor=current_user,
            )
        if attempt.ok:
            flash(_("Competency «%(name)s» added.", name=competency.name), "success")
            return redirect(url_for("admin.competencies"))
    return render_template("admin/refdata_form.html", form=form,
                           heading=_("New competency"))


@bp.route("/competencies/aliases/new", methods=["GET", "POST"])
@requires("refdata.manage")
def alias_create():
    form = AliasForm()
    form.competency.choices = choices(
        [("", "—")] + [(c.id, str(c)) for c in reference_service.competencies_with_kinds()])
    if request.method == "GET" and (chosen := parse_id(request.args.get("competency", ""))):
        form.competency.data = chosen
    if form.validate_on_submit():
        with refusals(form) as attempt:
            alias = reference_service.add_alias(
                reference_service.competency(form.competency.data), form.alias.data,
                actor=current_user)
        if attempt.ok:
            flash(_("«%(alias)s» now also names «%(name)s».", alias=alias.name,
                    name=alias.competency.name), "success")
            return redirect(url_for("admin.competencies"))
    return render_template("admin/refdata_form.html", form=form,
                           heading=_("New alias of a competency"))


@bp.route("/categories/new", methods=["GET", "POST"])
@requires("refdata.manage")
def category_create():
    form = CategoryForm()
    form.kind.choices = _kind_choices()
    if form.validate_on_submit():
        with refusals(form) as attempt:
            category = reference_service.create_category(
                db.get_or_404(CompetitionKind, form.kind.data), form.name.data,
                min_age=form.min_age.data, actor=current_user,
            )
        if attempt.ok:
            flash(_("Category «%(name)s» added to %(kind)s.", name=category.name,
                    kind=category.kind.short_name), "success")
            return redirect(url_for("admin.competencies"))
    return render_template("admin/refdata_form.html", form=form, heading=_("New category"))
