"""``flask demo load``: a realistic season that obeys the registry's own rules."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from registry import kinds as kind_rules
from registry.extensions import db
from registry.models import (
    Aspect,
    Award,
    Category,
    Competition,
    Criterion,
    Entry,
    EntryMember,
    ExpertAssignment,
    InternshipOffer,
    Mark,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Publication,
    PublishedCategory,
    ScoreSheet,
    User,
    name_key,
    organisation_key,
    person_key,
)
from registry.services import awards as award_service
from registry.services import persons as person_service
from registry.services import registration
from registry.services import results as results_service

from .conftest import _wipe

SCALE = 200


def _load(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fingerprint():
    return {
        "persons": sorted(db.session.scalars(select(Person.identity_key))),
        "competitions": sorted(db.session.scalars(select(Competition.title))),
        "entries": sorted(db.session.execute(
            select(Entry.id, Entry.offered_category_id, Entry.team_name, Entry.status)).all()),
        "marks": sorted((e, a, str(v)) for e, a, v in db.session.execute(
            select(Mark.entry_id, Mark.aspect_id, Mark.value))),
        "awards": sorted((e or 0, k, p or 0) for e, k, p in db.session.execute(
            select(Award.entry_id, Award.kind, Award.place))),
        "organisations": sorted(db.session.scalars(select(Organisation.name))),
    }


def test_demo_season_obeys_the_rules(app):
    result = _load(app, "--scale", str(SCALE))
    assert "organiser@demo.example.org" in result.output

    entries = _count(Entry)
    assert 0.8 * SCALE <= entries <= 1.25 * SCALE
    competitions = list(db.session.scalars(select(Competition).options(
        joinedload(Competition.kind))))
    assert {c.kind.slug for c in competitions} == {
        "professionaly", "abilympics", "master_of_the_year"}
    assert {c.stage for c in competitions} == {"regional", "selection", "final"}
    assert len({c.host_region_id for c in competitions if c.stage == "regional"}) >= 3
    # the finals' results are on the public pages, the other stages' are not
    released = {c.id for c in competitions if c.released_at is not None}
    assert released and released == {c.id for c in competitions if c.stage == "final"}
    page = app.test_client().get("/public/").get_data(as_text=True)
    assert all(c.title in page for c in competitions if c.id in released)

    # Teams of 2–4 in the team competency, and only there.
    sizes = db.session.execute(
        select(Entry.team_name, func.count(EntryMember.id), OfferedCompetency.competency_id)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .group_by(Entry.id, Entry.team_name, OfferedCompetency.competency_id)).all()
    teams = [s for s in sizes if s[0] is not None]
    assert teams and all(2 <= n <= 4 for _name, n, _c in teams)
    assert all(n == 1 for name, n, _c in sizes if name is None)

    # Every offered category and competency is of its competition's kind; ages fit.
    offered = list(db.session.scalars(select(OfferedCategory).options(
        joinedload(OfferedCategory.category),
        joinedload(OfferedCategory.offered_competency).joinedload(OfferedCompetency.competency),
        joinedload(OfferedCategory.offered_competency).joinedload(OfferedCompetency.competition)
        .joinedload(Competition.kind))))
    by_id = {oc.id: oc for oc in offered}
    for oc in offered:
        competition = oc.offered_competency.competition
        assert oc.category.kind_id == competition.kind_id
        assert competition.kind in oc.offered_competency.competency.kinds
    members = db.session.execute(select(EntryMember.offered_category_id, Person).join(
        Person, Person.id == EntryMember.person_id)).all()
    minors_without_guardian = 0
    for oc_id, person in members:
        oc = by_id[oc_id]
        day = registration.competition_day(oc.offered_competency.competition)
        min_age = oc.category.min_age or 0
        if kind_rules.rules(oc.offered_competency.competition.kind.slug).adults_only:
            min_age = max(min_age, person_service.ADULT_AGE)
        assert person.age_on(day) >= min_age, (person.full_name, oc.category.name)
        if oc.category.name in ("Юниоры", "Школьники"):
            assert 14 <= person.age_on(day) <= 18
        if person.age_on(day) < 18 and person.guardian_consent_date is None:
            minors_without_guardian += 1
    assert minors_without_guardian < len(members) * 0.1
    assert _count(Category) == 6  # reference data untouched but for competency links

    # Identity keys and organisation keys by the registry's own rules.
    for person in db.session.scalars(select(Person)):
        assert person.identity_key == person_key(person.last_name, person.first_name,
                                                 person.middle_name, person.birth_date)
    for org in db.session.scalars(select(Organisation)):
        assert org.name_key == organisation_key(org.name)
    assert db.session.scalar(select(func.count()).select_from(Person).where(
        Person.consent_date.is_(None))) >= 1  # a few without consent on file

    # Experts: one chief per offered competency that has assignments; schemes sum to 100.
    chiefs = Counter(db.session.scalars(select(ExpertAssignment.offered_competency_id).where(
        ExpertAssignment.is_chief)))
    assigned = set(db.session.scalars(select(ExpertAssignment.offered_competency_id)))
    assert assigned and set(chiefs) == assigned and set(chiefs.values()) == {1}
    totals = db.session.execute(
        select(Criterion.offered_competency_id, func.sum(Aspect.max_marks))
        .join(Aspect, Aspect.criterion_id == Criterion.id)
        .group_by(Criterion.offered_competency_id)).all()
    assert totals and all(float(total) == 100.0 for _occ, total in totals)
    kinds = set(db.session.scalars(select(Aspect.kind)))
    assert kinds == {"measurement", "judgement"}

    # Published results: what publish() would write, awards included.
    published = [c for c in competitions if c.status == "results_published"]
    assert published and _count(ScoreSheet) > 0
    for competition in published:
        standings = results_service.competition_standings(competition)
        assert standings.published and not standings.changed_since_publication, competition.title
        counts = award_service.sync_from_standings(competition, standings,
                                                   standings.publication)
        assert counts == {"added": 0, "changed": 0, "removed": 0}, competition.title
        assert db.session.scalar(select(func.count()).select_from(Award).where(
            Award.competition_id == competition.id, Award.source == "results")) > 0
    db.session.rollback()
    assert _count(Publication) == len(published)
    kept = {(c.publication_id, c.offered_category_id)
            for c in db.session.scalars(select(PublishedCategory))}
    assert kept and kept == {(p.id, int(key)) for p in db.session.scalars(select(Publication))
                             for key in p.snapshot["standings"]}
    assert {c.status for c in competitions} >= {"results_published", "registration", "marking"}
    assert db.session.scalar(select(func.count()).select_from(Award).where(
        Award.kind == "special")) >= 3

    # The seed article's three offers.
    offers = {o.person.last_name: o for o in db.session.scalars(select(InternshipOffer))}
    shmal, chuvashova, inyavin = offers["Шмаль"], offers["Чувашова"], offers["Инявин"]
    assert (shmal.person.first_name, shmal.person.middle_name) == ("Александр", "Владимирович")
    assert (shmal.kind, shmal.city, shmal.partner.kind) == ("training", "Калуга", "technopark")
    assert (chuvashova.kind, chuvashova.partner.kind) == ("practice", "tv_channel")
    assert (inyavin.kind, inyavin.country) == ("internship", "Китай")
    assert inyavin.award.kind == "silver" and inyavin.award.place == 2
    assert inyavin.award.entry.offered_category.offered_competency.competency.name == \
        "Проектирование и изготовление пресс-форм"
    assert len(offers) > 3

    # The open competition: the demo experts go on where the sheets stand.
    from registry.services import marking

    chief = db.session.scalar(select(User).where(User.email == "chief.expert@demo.example.org"))
    expert = db.session.scalar(select(User).where(User.email == "expert@demo.example.org"))
    submitted = db.session.scalar(
        select(ScoreSheet)
        .join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
        .join(ExpertAssignment, ExpertAssignment.offered_competency_id
              == OfferedCategory.offered_competency_id)
        .where(ExpertAssignment.user_id == chief.id, ScoreSheet.status == "submitted")
        .order_by(ScoreSheet.id).limit(1))
    offered_category, criterion = submitted.offered_category, submitted.criterion
    from registry import access

    assert access.is_chief(chief, criterion.offered_competency_id)
    marking.confirm_sheet(offered_category, criterion, submitted.version, actor=chief)
    draft = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.offered_category_id == offered_category.id, ScoreSheet.status == "draft"))
    aspect = draft.criterion.aspects[0]
    entry_id = draft.marks[0].entry_id
    value = "1" if aspect.kind == "measurement" else ["1", "2", "3"]
    marking.save_marks(offered_category, draft.criterion, {(entry_id, aspect.id): value},
                       draft.version, actor=expert)

    # Ids written in bulk leave the sequences behind them (PostgreSQL).
    from . import factories

    factories.make_entry(factories.make_offered(factories.make_competition()))
    factories.make_organisation()

    # Demo accounts have no usable password unless asked for.
    organiser = db.session.scalar(select(User).where(User.email == "organiser@demo.example.org"))
    assert organiser.role == "organiser" and not organiser.check_password("")

    # --if-empty adds nothing; without it, a second load is refused.
    before = (_count(Entry), _count(Person), _count(Competition), _count(User))
    again = _load(app, "--if-empty")
    assert "not loaded" in again.output
    refused = app.test_cli_runner().invoke(args=["demo", "load", "--quiet"])
    assert refused.exit_code != 0 and "--append" in refused.output
    assert (_count(Entry), _count(Person), _count(Competition), _count(User)) == before


def test_same_seed_same_data_and_append(app):
    _load(app, "--scale", "60", "--seed", "7")
    first = _fingerprint()
    db.session.remove()
    _wipe()
    result = _load(app, "--scale", "60", "--seed", "7", "--show-password")
    assert _fingerprint() == first
    # --show-password: one random password for the demo accounts, printed once.
    password = result.output.split("write it down): ")[1].split()[0]
    chief = db.session.scalar(select(User).where(User.email == "chief.expert@demo.example.org"))
    assert chief.check_password(password) and password not in chief.password_hash

    _load(app, "--scale", "60", "--seed", "8", "--append")
    assert _count(Competition) > len(first["competitions"])
    titles = list(db.session.scalars(select(Competition.title)))
    assert len({name_key(t) for t in titles}) == len(titles)
