"""How a person is named on the public pages (152-ФЗ): the one rule.

The full name («Иванов Пётр Сергеевич») only when the consent to the publication of results
covers it: the person's own («согласие на публикацию результатов», ``publication_consent``)
once they are of age, and for a minor their parent's or guardian's
(``guardian_publication_consent``, which stays valid after the person comes of age, until it
is withdrawn). Otherwise the surname with initials («Иванов П. С.»). The birth date is read to
know whether the person is a minor; it never leaves this module.
"""
from __future__ import annotations

from datetime import date

from .persons import ADULT_AGE


def is_minor(person, on: date | None = None) -> bool:
    return person.age_on(on or date.today()) < ADULT_AGE


def consents_to_publication(person, on: date | None = None) -> bool:
    """Does the consent on record cover the person's full name on public pages?"""
    if person.guardian_publication_consent:
        return True
    return bool(person.publication_consent) and not is_minor(person, on)


def _initial(name: str) -> str:
    """«Пётр» → «П.», «Анна-Мария» → «А.-М.»."""
    return " ".join("-".join(f"{p[0].upper()}." for p in word.split("-") if p)
                    for word in name.split())


def short_name(person) -> str:
    """«Фамилия И. О.»: the surname and the initials of the given name and patronymic."""
    initials = " ".join(_initial(n) for n in (person.first_name, person.middle_name)
                        if n and n.strip())
    return f"{person.last_name} {initials}".strip()


def public_name(person, on: date | None = None) -> str:
    """The name the public pages show for ``person``."""
    if consents_to_publication(person, on):
        return person.full_name
    return short_name(person)
