"""The page's language: its texts looked up once per context, not three proxies per text.

Flask-Babel finds the current translations again for every text: the application context's
``g`` through its proxy three times, the locale's identifier, the catalogue's cache (7.5 µs a
text), and Jinja's ``_`` wraps that in two more calls and a ``%`` on every text (16 µs; a
staff page has about 60). Here the translations Flask-Babel found are kept beside its own
state for the context (``g._flask_babel``) with the locale object and the domain they were
found for; when either is not the one Flask-Babel holds now (``force_locale``, ``refresh``,
another domain, a new context), Flask-Babel finds them again. Jinja's functions keep the
«newstyle» rules (``jinja2.ext``: escaped under autoescape, every text a ``%`` format) and
leave out only a ``%`` that has nothing to do: no variables and no «%» in the text.

``gettext``, ``ngettext``, ``pgettext``, ``lazy_gettext`` and ``lazy_pgettext`` are
Flask-Babel's, with its rules (``%`` formatting when variables are given; ``num`` given to
plurals); the registry's modules import them from here.
"""
from __future__ import annotations

from functools import cached_property

import flask_babel
from jinja2 import pass_context
from markupsafe import Markup

try:  # the application context itself: ``g``'s proxy cost more than a text's lookup
    from flask.globals import _cv_app

    def babel_kept():
        """What Flask-Babel keeps for the current context (LookupError outside one,
        AttributeError before Flask-Babel has kept anything)."""
        return _cv_app.get().g._flask_babel
except ImportError:  # a Flask without it: through ``g``
    def babel_kept():
        return flask_babel.g._flask_babel

_MISSING = (LookupError, AttributeError)


class KeptDomain(flask_babel.Domain):
    """Flask-Babel's domain, its translations kept for the context while its locale holds."""

    def get_translations(self):
        try:
            state = babel_kept()
            locale, domain, found = state.kept_translations
            if locale is state.babel_locale and domain is self:
                return found
        except _MISSING:
            pass
        found = super().get_translations()
        try:
            state = babel_kept()
            state.kept_translations = (state.babel_locale, self, found)
        except _MISSING:  # outside a context: nothing to keep it in
            pass
        return found


class Babel(flask_babel.Babel):
    """Flask-Babel with the kept domain, and Jinja's gettext functions reading it."""

    @cached_property
    def domain_instance(self):
        return KeptDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        if self._configure_jinja:
            app.jinja_env.globals.update(
                gettext=_jinja_gettext, _=_jinja_gettext, ngettext=_jinja_ngettext,
                pgettext=_jinja_pgettext, npgettext=_jinja_npgettext)


def translations():
    """``flask_babel.get_translations()`` without ``get_domain``'s proxies: the context's
    domain's (the kept ones, from ``KeptDomain``)."""
    try:
        domain = babel_kept().babel_domain
    except _MISSING:
        return flask_babel.get_translations()
    return domain.get_translations()


# --- in Python: Flask-Babel's functions, the same rules, through the kept translations --------

def gettext(string, **variables):
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context, string, **variables):
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string, **variables):
    return flask_babel.LazyString(gettext, string, **variables)


def lazy_pgettext(context, string, **variables):
    return flask_babel.LazyString(pgettext, context, string, **variables)


# --- in templates: Jinja's «newstyle» functions --------------------------------------------

def _formatted(context, text, variables):
    if context.eval_ctx.autoescape:
        text = Markup(text)
    # ``text % {}`` is ``text`` when it holds no «%»
    return text % variables if variables or "%" in text else text


@pass_context
def _jinja_gettext(__context, __string, **variables):
    return _formatted(__context, translations().ugettext(__string), variables)


@pass_context
def _jinja_ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    return _formatted(__context, translations().ungettext(__singular, __plural, __num),
                      variables)


@pass_context
def _jinja_pgettext(__context, __string_ctx, __string, **variables):
    variables.setdefault("context", __string_ctx)
    return _formatted(__context, translations().upgettext(__string_ctx, __string), variables)


@pass_context
def _jinja_npgettext(__context, __string_ctx, __singular, __plural, __num, **variables):
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    return _formatted(__context, translations().unpgettext(__string_ctx, __singular, __plural,
                                                           __num), variables)
