"""The template of each kind's diploma: the defaults, an administrator's changes, and the
background image (PNG or JPEG, checked by its content, bounded in bytes and pixels)."""
from __future__ import annotations

import io
from dataclasses import dataclass, replace

from ...extensions import db
from ...i18n import gettext as _
from ...models import DIPLOMA_KINDS, DiplomaTemplate
from ...text import squashed
from .. import ServiceError
from ..audit import record

# What a template's text fields may hold (also the lengths of the columns and the form's).
LIMITS = {"title": 120, "award_line": 200, "intro": 200, "issuer": 300,
          "signatory_1": 200, "signatory_2": 200, "footer": 300}
BACKGROUND_MAX_BYTES = 2 * 1024 * 1024
BACKGROUND_MAX_PIXELS = 4000  # width and height each: A4 at 340 dpi
BACKGROUND_MIN_PIXELS = 100


@dataclass(frozen=True)
class Wording:
    """The texts a diploma of one kind prints (Russian: the document is Russian, whatever
    language the interface is in)."""

    title: str
    award_line: str | None = None
    intro: str | None = "награждается"
    issuer: str | None = "Организационный комитет"
    signatory_1: str | None = "Председатель организационного комитета"
    signatory_2: str | None = "Главный эксперт"
    footer: str | None = None
    background: bytes | None = None
    background_type: str | None = None


DEFAULT_TEMPLATES: dict[str, Wording] = {
    "gold": Wording("Диплом победителя", "золотая медаль"),
    "silver": Wording("Диплом призёра", "серебряная медаль"),
    "bronze": Wording("Диплом призёра", "бронзовая медаль"),
    "medallion": Wording("Медальон за профессионализм",
                         "за высокий уровень профессионального мастерства"),
    "winner": Wording("Диплом победителя", "победитель"),
    "prize_winner": Wording("Диплом призёра", "призёр"),
    "special": Wording("Диплом"),  # the award line is the special award's own title
    "participation": Wording("Сертификат участника", None, "подтверждает участие",
                             signatory_2=None),
}
TEXT_FIELDS = tuple(LIMITS)


def wording(kind: str, stored: DiplomaTemplate | None = None) -> Wording:
    """The texts of ``kind``: the administrator's template where there is one, else the
    default."""
    default = DEFAULT_TEMPLATES[kind]
    if stored is None:
        stored = db.session.get(DiplomaTemplate, kind)
    if stored is None:
        return default
    return replace(default, **{name: getattr(stored, name) for name in TEXT_FIELDS},
                   background=stored.background, background_type=stored.background_type)


def templates() -> dict[str, Wording]:
    stored = {t.kind: t for t in db.session.scalars(db.select(DiplomaTemplate))}
    return {kind: wording(kind, stored.get(kind)) for kind in DIPLOMA_KINDS}


def check_background(data: bytes) -> str:
    """``"png"`` or ``"jpeg"`` when ``data`` is such an image of sensible size; otherwise a
    ``ServiceError`` on the field ``background`` that says why."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > BACKGROUND_MAX_BYTES:
        raise ServiceError(_("The image is larger than %(size)d MB.",
                             size=BACKGROUND_MAX_BYTES // (1024 * 1024)), field="background")
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            kind = image.format
            width, height = image.size  # from the header: nothing decoded yet
            if not (BACKGROUND_MIN_PIXELS <= width <= BACKGROUND_MAX_PIXELS
                    and BACKGROUND_MIN_PIXELS <= height <= BACKGROUND_MAX_PIXELS):
                raise ServiceError(
                    _("The image must be between %(low)d and %(high)d pixels wide and high; "
                      "it is %(width)d × %(height)d.", low=BACKGROUND_MIN_PIXELS,
                      high=BACKGROUND_MAX_PIXELS, width=width, height=height),
                    field="background")
            image.load()  # a truncated or corrupt file fails here, not in the PDF
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as error:
        raise ServiceError(_("The file is not a PNG or JPEG image."),
                           field="background") from error
    return "png" if kind == "PNG" else "jpeg"


def _clip(value: str | None, name: str) -> str | None:
    value = squashed(value)
    if value and len(value) > LIMITS[name]:
        raise ServiceError(_("At most %(num)d characters.", num=LIMITS[name]), field=name)
    return value


def save_template(kind: str, texts: dict, *, background: bytes | None = None,
                  remove_background: bool = False, actor=None) -> DiplomaTemplate:
    """Store an administrator's texts (and background image) for ``kind``'s diploma."""
    if kind not in DIPLOMA_KINDS:
        raise ServiceError(_("Unknown diploma kind."))
    title = _clip(texts.get("title"), "title")
    if not title:
        raise ServiceError(_("A diploma needs a title."), field="title")
    template = db.session.get(DiplomaTemplate, kind)
    if template is None:
        template = DiplomaTemplate(kind=kind, title=title)
        db.session.add(template)
    for name in TEXT_FIELDS:
        setattr(template, name, _clip(texts.get(name), name))
    template.title = title
    if background:
        template.background_type = check_background(background)
        template.background = background
    elif remove_background:
        template.background, template.background_type = None, None
    template.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("diploma_template.save", object_type="diploma_templates", user=actor, kind=kind,
           background=template.background_type,
           **{name: getattr(template, name) for name in TEXT_FIELDS})
    return template


def reset_template(kind: str, *, actor=None) -> None:
    template = db.session.get(DiplomaTemplate, kind)
    if template is not None:
        db.session.delete(template)
        db.session.flush()
        record("diploma_template.reset", object_type="diploma_templates", user=actor,
               kind=kind)


__all__ = ["DEFAULT_TEMPLATES", "LIMITS", "TEXT_FIELDS", "Wording", "check_background",
           "reset_template", "save_template", "templates", "wording"]
