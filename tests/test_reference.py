from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Category, Competency, CompetitionKind, Region
from registry.services import reference

from . import factories


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_all_89_regions_with_districts():
    assert _count(Region) == 89
    tatarstan = db.session.scalar(select(Region).where(Region.code == "16"))
    assert tatarstan.name == "Республика Татарстан" and tatarstan.federal_district == "Приволжский"


def test_three_kinds_with_their_categories():
    cats = {k.slug: [c.name for c in k.categories]
            for k in db.session.scalars(select(CompetitionKind))}
    assert cats == {
        "professionaly": ["Основная", "Юниоры"],
        "abilympics": ["Школьники", "Студенты", "Специалисты"],
        "master_of_the_year": ["Педагогические работники"],
    }
    assert factories.category("professionaly", "Юниоры").min_age == 14
    assert factories.category("master_of_the_year", "Педагогические работники").min_age == 18


def test_competencies_from_both_lists_shared_when_names_match():
    welding = factories.competency("Сварочные технологии")
    # «Мастер года» teachers compete in the competencies of «Профессионалы»
    assert {k.slug for k in welding.kinds} == {"professionaly", "abilympics", "master_of_the_year"}
    assert {k.slug for k in factories.competency("Бисероплетение").kinds} == {"abilympics"}
    assert factories.competency("Командная работа на производстве").is_team
    assert _count(Competency) > 150


def test_reload_adds_nothing_and_keeps_additions():
    before = (_count(Region), _count(Category), _count(Competency))
    extra = Competency(name="Новая компетенция", code="X1")
    db.session.add(extra)
    db.session.commit()
    report = reference.load_all()
    assert (report.regions, report.categories, report.competencies) == (0, 0, 0)
    assert (_count(Region), _count(Category), _count(Competency)) == (before[0], before[1], before[2] + 1)
