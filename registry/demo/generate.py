"""A realistic season of the three competitions, made up for demo databases.

What it makes, for about ``scale`` entries (deterministic for a given seed):

- season 2024 of «Профессионалы» (regional stages, a selection stage, the final),
  «Абилимпикс» and «Мастер года» (regional stages and the final), every result published;
- season 2025 regional stages of «Профессионалы» in a few regions, still open: registration,
  and in Оренбургская область marking (some sheets confirmed, one submitted, one a draft);
- persons with plausible Russian names (gender agreement of surname and patronymic), ages that
  fit their categories, consents (guardian's for minors; a few missing), Абилимпикс health
  records; organisations per region (colleges, schools, employers); teams in team
  competencies; expert accounts and assignments with a chief expert; marking schemes
  (criteria A–E, 100 points, measurement and judgement aspects), marks, confirmed sheets with
  their versions; publications with their awards; special awards; internship offers,
  among them the three of the seed article (Шмаль, Чувашова, Инявин).

Speed: rows are written with Core bulk inserts, ids computed here (from the tables' maxima; on
PostgreSQL the sequences are moved past them afterwards). Results are ranked in memory by the
rules of ``services.medals`` and written as the publication and award rows that
``services.results.publish`` would write; the finals are published through
``services.results.publish`` itself.
"""
from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select, text

from ..extensions import db
from ..models import (
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Organisation,
    Partner,
    Person,
    Region,
    User,
    competency_kinds,
    name_key,
    person_key,
)
from ..services import medals
from ..services.awards import medal_region
from ..services.competitions import default_title
from ..services.marking import judgement_mark
from . import names as N

SEASON = 2024
NEXT_SEASON = SEASON + 1
CENT = Decimal("0.01")
UNUSABLE_PASSWORD = "!demo-account-no-password"  # check_password_hash() is False for it
EMAIL_DOMAIN = "demo.example.org"
BATCH = 20_000
KIND_SHARES = {"professionaly": 0.66, "abilympics": 0.20, "master_of_the_year": 0.12}
REGIONAL_SHARE = 0.86
NEXT_SEASON_SHARE = 0.04
ENTRIES_PER_REGIONAL = 120
# Entries per offered competency at a regional stage (spread over its categories).
ENTRIES_PER_COMPETENCY = {"professionaly": 16, "abilympics": 20, "master_of_the_year": 30}
MIN_REGIONS = {"professionaly": 3, "abilympics": 2, "master_of_the_year": 2}
ORENBURG = "56"
# Age ranges per category (on the competition's first day).
AGES = {
    "Основная": (16, 22), "Юниоры": (14, 17), "Школьники": (14, 17), "Студенты": (16, 22),
    "Специалисты": (23, 55), "Педагогические работники": (24, 62),
}
DEMO_ACCOUNTS = [
    ("organiser", "organiser", "Организатор (демо)"),
    ("coordinator", "coordinator", "Координатор (демо)"),
    ("chief.expert", "expert", "Главный эксперт (демо)"),
    ("expert", "expert", "Эксперт (демо)"),
]


class DemoRefused(Exception):
    """The database cannot take demo data (the reference data is missing)."""


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class PersonRef:
    id: int
    birth: date
    region_code: str
    org_id: int | None
    gender: str
    last_name: str
    first_name: str


@dataclass
class EntryRef:
    id: int
    oc_id: int           # offered category
    members: list[PersonRef]
    team_name: str | None
    status: str
    skill: float
    region_code: str
    total: Decimal | None = None
    rank: int | None = None
    award: str | None = None
    award_id: int | None = None


@dataclass
class Offered:
    id: int              # offered category id
    occ_id: int          # offered competency id
    competency: tuple    # (id, name, is_team)
    category: tuple      # (id, name, min_age, position)
    entries: list[EntryRef] = field(default_factory=list)


def _d(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0)


class Generator:
    def __init__(self, scale: int, seed: int = 2024, *, password_hash: str | None = None, log=None):
        self.scale = max(50, int(scale))
        self.seed = seed
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.log = log or (lambda message: None)
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.next_id: dict[str, int] = {}
        self.tables = {t.name: t for t in db.metadata.sorted_tables}

    # --- plumbing ---------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        if table not in self.next_id:
            current = db.session.execute(text(f"SELECT MAX(id) FROM {table}")).scalar()
            self.next_id[table] = (current or 0) + 1
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)
        self.counts[table] += 1
        if len(self.rows[table]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered, parents before children."""
        for table in db.metadata.sorted_tables:
            rows = self.rows.pop(table.name, None)
            if rows:
                for start in range(0, len(rows), BATCH):
                    db.session.execute(insert(table), rows[start:start + BATCH])

    def sync_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        if db.engine.dialect.name != "postgresql":
            return
        for table in self.next_id:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"))

    # --- reference data ---------------------------------------------------------------------

    def load_reference(self) -> None:
        self.regions = {r.code: r for r in db.session.scalars(select(Region).order_by(Region.code))}
        self.kinds = {k.slug: k for k in db.session.scalars(select(CompetitionKind))}
        missing = [slug for slug in KIND_SHARES if slug not in self.kinds]
        if missing or not self.regions:
            raise DemoRefused("Reference data is missing: run `flask refdata load` first.")
        self.categories = {
            slug: [(c.id, c.name, c.min_age, c.position) for c in sorted(
                db.session.scalars(select(Category).where(Category.kind_id == kind.id)),
                key=lambda c: c.position)]
            for slug, kind in self.kinds.items()}
        self.competencies = {}
        for slug, kind in self.kinds.items():
            rows = db.session.execute(
                select(Competency.id, Competency.name, Competency.is_team)
                .join(competency_kinds, competency_kinds.c.competency_id == Competency.id)
                .where(competency_kinds.c.kind_id == kind.id).order_by(Competency.id)).all()
            self.competencies[slug] = [tuple(r) for r in rows]

    # --- people and organisations -----------------------------------------------------------

    def load_existing_keys(self) -> None:
        self.person_keys: set[str] = set(db.session.scalars(select(Person.identity_key)))
        self.org_keys: dict[tuple[int, str], int] = {
            (r, k): i for i, r, k in db.session.execute(
                select(Organisation.id, Organisation.region_id, Organisation.name_key))}
        self.user_emails: dict[str, int] = {
            e: i for i, e in db.session.execute(select(User.id, User.email))}
        self.partner_keys: dict[str, int] = {
            k: i for i, k in db.session.execute(select(Partner.id, Partner.name_key))}
        self.titles: set[str] = {name_key(t) for t in db.session.scalars(select(Competition.title))}

    def organisation(self, region_code: str, name: str, kind: str = "educational") -> int:
        region = self.regions[region_code]
        key = (region.id, name_key(name))
        if key not in self.org_keys:
            oid = self.new_id("organisations")
            self.add("organisations", {"id": oid, "name": " ".join(name.split()),
                                       "name_key": key[1], "kind": kind, "region_id": region.id})
            self.org_keys[key] = oid
        return self.org_keys[key]

    def build_organisations(self, region_codes: list[str]) -> None:
        """Per region: colleges, a university college, schools and employers."""
        rng = self.rng
        per_region = max(4, min(len(N.COLLEGES), self.scale // 400 + 4))
        self.orgs: dict[str, dict[str, list[int]]] = {}
        for code in region_codes:
            region = self.regions[code]
            _city, adj = N.CITIES.get(code, (region.name, region.name))
            prefixes = list(N.COLLEGE_PREFIXES)
            if "край" in region.name:
                prefixes += N.KRAI_PREFIXES
            elif "область" in region.name:
                prefixes += N.OBLAST_PREFIXES
            colleges = []
            if code == N.ARTICLE_COLLEGE[0]:
                colleges.append(self.organisation(code, N.ARTICLE_COLLEGE[1]))
            for template in rng.sample(N.COLLEGES, per_region):
                name = f"{rng.choice(prefixes)} «{template.format(adj=adj)}»"
                colleges.append(self.organisation(code, name))
            colleges.append(self.organisation(code, N.UNIVERSITY_COLLEGE.format(adj=adj)))
            schools = [self.organisation(code, rng.choice(N.SCHOOLS).format(n=n))
                       for n in rng.sample(range(1, 120), max(3, per_region // 2))]
            employers = [self.organisation(code, t.format(adj=adj), "employer")
                         for t in rng.sample(N.EMPLOYERS, min(len(N.EMPLOYERS), per_region // 2 + 2))]
            self.orgs[code] = {"college": colleges, "school": schools, "employer": employers}

    def _birth(self, day: date, age: int) -> date:
        """A birth date of someone exactly ``age`` years old on ``day``."""
        if (day.month, day.day) == (2, 29):
            day = day.replace(day=28)
        high = day.replace(year=day.year - age)
        low = day.replace(year=day.year - age - 1) + timedelta(days=1)
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def _name(self, gender: str) -> tuple[str, str, str | None]:
        rng = self.rng
        surname = rng.choice(N.SURNAMES)
        male, female = rng.choice(N.PATRONYMICS)
        if gender == "m":
            first, middle = rng.choice(N.MALE_NAMES), male
        else:
            first, middle, surname = rng.choice(N.FEMALE_NAMES), female, N.feminine_surname(surname)
        if rng.random() < 0.03:
            middle = None
        return surname, first, middle

    def person(self, region_code: str, org_id: int | None, day: date, ages: tuple[int, int],
               registered: date, *, abilympics: bool = False, fixed: dict | None = None,
               ) -> PersonRef:
        rng = self.rng
        while True:
            if fixed:
                gender, (last, first, middle) = fixed["gender"], fixed["name"]
                birth = fixed["birth"]
            else:
                gender = "m" if rng.random() < 0.55 else "f"
                last, first, middle = self._name(gender)
                birth = self._birth(day, rng.randint(*ages))
            key = person_key(last, first, middle, birth)
            if key not in self.person_keys:
                break
            if fixed:
                return None  # the person exists already (--append): leave them be
        self.person_keys.add(key)
        pid = self.new_id("persons")
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        minor = age < 18
        roll = rng.random()
        consent = guardian = guardian_date = None
        if roll >= 0.02:                      # 2 %: no consent on file yet
            consent = registered
            if minor and roll >= 0.03:        # 1 % of minors: the guardian's consent missing
                guardian_date = registered
                parent_gender = "f" if rng.random() < 0.7 else "m"
                parent_first = rng.choice(N.FEMALE_NAMES if parent_gender == "f" else N.MALE_NAMES)
                male, female = rng.choice(N.PATRONYMICS)
                parent_last = last
                if parent_gender == "f" and gender == "m":
                    parent_last = N.feminine_surname(last)
                elif parent_gender == "m" and gender == "f":
                    parent_last = self._masculine(last)
                guardian = " ".join((parent_last, parent_first,
                                     female if parent_gender == "f" else male))
        email = None
        if rng.random() < 0.6:
            email = (f"{N.translit(first)[:1]}.{N.translit(last)}{birth.year % 100:02d}"
                     f".{pid}@{EMAIL_DOMAIN}")
        phone = None
        if rng.random() < 0.4:
            phone = f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-" \
                    f"{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
        created = _at(registered)
        self.add("persons", {
            "id": pid, "last_name": last, "first_name": first, "middle_name": middle,
            "birth_date": birth, "identity_key": key,
            "region_id": self.regions[region_code].id, "organisation_id": org_id,
            "email": email, "phone": phone, "consent_date": consent, "guardian_name": guardian,
            "guardian_consent_date": guardian_date, "created_at": created, "updated_at": created,
        })
        if abilympics and rng.random() < 0.9:
            self.add("health_records", {
                "person_id": pid, "disability_group": rng.choice(N.DISABILITY_GROUPS),
                "notes": rng.choice(N.NOSOLOGIES), "written_consent_date": registered,
                "updated_at": created})
        return PersonRef(pid, birth, region_code, org_id, gender, last, first)

    @staticmethod
    def _masculine(surname: str) -> str:
        if surname.endswith(("ская", "цкая")):
            return surname[:-2] + "ий"
        if surname.endswith("ая"):
            return surname[:-2] + "ой"
        if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
            return surname[:-1]
        return surname

    # --- users ------------------------------------------------------------------------------

    def user(self, email: str, role: str, name: str, *, password_hash: str | None = None) -> int:
        email = email.lower()
        if email in self.user_emails:
            return self.user_emails[email]
        uid = self.new_id("users")
        self.add("users", {"id": uid, "email": email, "name": name,
                           "password_hash": password_hash or UNUSABLE_PASSWORD, "role": role,
                           "active": True, "created_at": datetime(SEASON, 1, 9, 9, 0),
                           "last_login_at": None})
        self.user_emails[email] = uid
        return uid

    def build_accounts(self) -> list[tuple[str, str]]:
        self.accounts = {}
        result = []
        for local, role, name in DEMO_ACCOUNTS:
            email = f"{local}@{EMAIL_DOMAIN}"
            self.accounts[local] = self.user(email, role, name, password_hash=self.password_hash)
            result.append((email, role))
        return result

    def expert_user(self) -> int:
        gender = "m" if self.rng.random() < 0.5 else "f"
        last, first, middle = self._name(gender)
        n = self.next_id.get("users", 0)
        email = f"{N.translit(first)[:1]}.{N.translit(last)}.{n}@{EMAIL_DOMAIN}"
        return self.user(email, "expert", " ".join(p for p in (last, first, middle) if p))

    # --- competitions -----------------------------------------------------------------------

    def competition(self, slug: str, year: int, stage: str, region_code: str | None,
                    starts: date, days: int, status: str, threshold: Decimal | None) -> int:
        kind = self.kinds[slug]
        region = self.regions[region_code] if region_code else None
        title = default_title(kind, year, stage, region)
        if name_key(title) in self.titles:
            title = f"{title} (демо, набор {self.seed})"
            n = 2
            while name_key(title) in self.titles:
                title = f"{default_title(kind, year, stage, region)} (демо, набор {self.seed}-{n})"
                n += 1
        self.titles.add(name_key(title))
        cid = self.new_id("competitions")
        self.add("competitions", {
            "id": cid, "kind_id": kind.id, "title": title, "year": year, "stage": stage,
            "host_region_id": region.id if region else None, "starts_on": starts,
            "ends_on": starts + timedelta(days=days), "status": status,
            "medallion_threshold": threshold, "created_at": _at(starts - timedelta(days=90)),
        })
        return cid

    def offer(self, cid: int, competency: tuple, categories: list[tuple],
              occ_ids: dict) -> list[Offered]:
        occ = occ_ids.get(competency[0])
        if occ is None:
            occ = occ_ids[competency[0]] = self.new_id("offered_competencies")
            self.add("offered_competencies", {"id": occ, "competition_id": cid,
                                              "competency_id": competency[0]})
        result = []
        for category in categories:
            ocid = self.new_id("offered_categories")
            self.add("offered_categories", {"id": ocid, "offered_competency_id": occ,
                                            "category_id": category[0]})
            result.append(Offered(ocid, occ, competency, category))
        return result

    def entry(self, offered: Offered, members: list[PersonRef], registered: date,
              team_name: str | None = None, status: str = "registered",
              skill: float | None = None) -> EntryRef:
        eid = self.new_id("entries")
        reason = None
        changed_at = changed_by = None
        if status != "registered":
            reason = self.rng.choice(N.WITHDRAWAL_REASONS if status == "withdrawn"
                                     else N.DISQUALIFICATION_REASONS)
            changed_at, changed_by = _at(registered + timedelta(days=20)), self.accounts["organiser"]
        self.add("entries", {
            "id": eid, "offered_category_id": offered.id, "team_name": team_name,
            "status": status, "status_reason": reason, "status_changed_at": changed_at,
            "status_changed_by_id": changed_by, "created_at": _at(registered, 11),
            "created_by_id": self.accounts["organiser"]})
        for person in members:
            self.add("entry_members", {"id": self.new_id("entry_members"), "entry_id": eid,
                                       "offered_category_id": offered.id,
                                       "person_id": person.id})
        if skill is None:
            skill = min(0.98, max(0.2, self.rng.gauss(0.62, 0.15)))
        ref = EntryRef(eid, offered.id, members, team_name, status, skill,
                       members[0].region_code)
        offered.entries.append(ref)
        return ref

    # --- a regional stage -------------------------------------------------------------------

    def _org_for(self, code: str, category: str) -> int:
        orgs = self.orgs[code]
        if category in ("Юниоры", "Школьники"):
            pool = orgs["school"] if self.rng.random() < 0.7 else orgs["college"]
        elif category == "Специалисты":
            pool = orgs["employer"]
        else:
            pool = orgs["college"]
        return self.rng.choice(pool)

    def _categories_for(self, slug: str, competency: tuple) -> list[tuple]:
        cats = self.categories[slug]
        by_name = {c[1]: c for c in cats}
        if slug == "professionaly":
            chosen = [by_name["Основная"]]
            if not competency[2] and self.rng.random() < 0.45:
                chosen.append(by_name["Юниоры"])
            return chosen
        if slug == "abilympics":
            picked = [c for c in cats if self.rng.random() < 0.6]
            return picked or [self.rng.choice(cats)]
        return list(cats)

    def regional(self, slug: str, code: str, year: int, starts: date, budget: int,
                 status: str, pinned: list[dict]) -> tuple[int, list[Offered], Decimal | None]:
        rng = self.rng
        threshold = _d(rng.choice((65, 70, 72))) if slug == "professionaly" else None
        cid = self.competition(slug, year, "regional", code, starts, 4, status, threshold)
        pool = self.competencies[slug]
        n_comp = max(2, min(len(pool), round(budget / ENTRIES_PER_COMPETENCY[slug])))
        chosen = []
        must = [p["competency"] for p in pinned]
        if slug == "professionaly":
            must = N.FEATURED_COMPETENCIES + must
        by_name = {c[1]: c for c in pool}
        for name in must:
            if name in by_name and by_name[name] not in chosen:
                chosen.append(by_name[name])
        rest = [c for c in pool if c not in chosen]
        chosen += rng.sample(rest, max(0, min(len(rest), n_comp - len(chosen))))
        occ_ids: dict[int, int] = {}
        offered: list[Offered] = []
        for competency in chosen:
            offered += self.offer(cid, competency, self._categories_for(slug, competency), occ_ids)
        # Entries per offered category: at least 3, the rest by weight.
        weights = [rng.uniform(0.5, 1.5) for _ in offered]
        spare = max(0, budget - 3 * len(offered))
        total_w = sum(weights)
        counts = [3 + int(spare * w / total_w) for w in weights]
        registered = starts - timedelta(days=rng.randint(25, 60))
        for oc, count in zip(offered, counts, strict=True):
            cat_name = oc.category[1]
            ages = AGES.get(cat_name, (18, 60))
            for pin in pinned:
                if pin["competency"] == oc.competency[1] and pin["category"] == cat_name:
                    person = self.person(code, self.pinned_org, starts, ages, registered,
                                         fixed=pin)
                    if person is not None:
                        pin["entry"] = self.entry(oc, [person], registered)
                        count -= 1
            team_names = list(N.TEAM_NAMES)
            rng.shuffle(team_names)
            for i in range(count):
                status = "registered"
                roll = rng.random()
                if count >= 4 and roll < 0.015:
                    status = "withdrawn"
                elif count >= 4 and roll < 0.019:
                    status = "disqualified"
                org = self._org_for(code, cat_name)
                if oc.competency[2]:  # a team competency: 2–4 members of one organisation
                    size = rng.choice((2, 3, 3, 4))
                    members = [self.person(code, org, starts, ages, registered)
                               for _ in range(size)]
                    name = team_names[i % len(team_names)]
                    if i >= len(team_names):
                        name = f"{name}-{i // len(team_names) + 1}"
                    self.entry(oc, members, registered, f"«{name}»", status)
                else:
                    self.entry(oc, [self.person(code, org, starts, ages, registered,
                                                abilympics=slug == "abilympics")],
                               registered, None, status)
        return cid, offered, threshold

    # --- experts, schemes, marks ------------------------------------------------------------

    def experts_for(self, code: str | None, competency_id: int, n: int) -> list[int]:
        key = (code, competency_id)
        pool = self.expert_pools.setdefault(key, [])
        while len(pool) < n:
            pool.append(self.expert_user())
        return pool[:n]

    def assign(self, occ_id: int, users: list[int], entries: list[EntryRef],
               created: date) -> None:
        """users[0] is the chief, users[1] marks; the others trained participants
        (эксперты-наставники) and may not mark their organisation's entries."""
        orgs = [m.org_id for e in entries for m in e.members if m.org_id]
        for i, uid in enumerate(users):
            org = self.rng.choice(orgs) if i >= 2 and orgs else None
            self.add("expert_assignments", {
                "id": self.new_id("expert_assignments"), "offered_competency_id": occ_id,
                "user_id": uid, "is_chief": i == 0, "organisation_id": org, "region_id": None,
                "created_at": _at(created)})

    def scheme(self, occ_id: int) -> list[tuple[int, str, list[tuple[int, Decimal, str]]]]:
        """Criteria A–E whose aspects sum to 100: ``[(criterion_id, code, [(aspect_id, max,
        kind)])]``."""
        rng = self.rng
        weights = list(N.CRITERION_WEIGHTS)
        for _ in range(3):
            i, j = rng.sample(range(len(weights)), 2)
            step = rng.choice((0, 5))
            if weights[i] - step >= 5:
                weights[i] -= step
                weights[j] += step
        result = []
        for position, ((code, title), weight) in enumerate(zip(N.CRITERIA, weights, strict=True)):
            crid = self.new_id("criteria")
            self.add("criteria", {"id": crid, "offered_competency_id": occ_id, "code": code,
                                  "title": title, "position": position})
            n = rng.randint(1, 3)
            options = N.ASPECTS[code][:]
            rng.shuffle(options)
            halves = weight * 2  # split in steps of half a point
            cuts = sorted(rng.sample(range(2, halves - 1), n - 1)) if n > 1 and halves > 2 * n else []
            if len(cuts) != n - 1:
                n, cuts = 1, []
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, halves], strict=True)]
            aspects = []
            for apos, ((atitle, akind), part) in enumerate(zip(options[:n], parts, strict=True)):
                aid = self.new_id("aspects")
                max_marks = _d(Decimal(part) / 2)
                self.add("aspects", {"id": aid, "criterion_id": crid, "title": atitle,
                                     "max_marks": max_marks, "kind": akind, "position": apos})
                aspects.append((aid, max_marks, akind))
            result.append((crid, code, aspects))
        return result

    def _mark(self, skill: float, max_marks: Decimal, kind: str):
        rng = self.rng
        if kind == "judgement":
            scores = [max(0, min(3, round(3 * skill + rng.gauss(0, 0.6)))) for _ in range(3)]
            return judgement_mark(scores, max_marks), scores
        quarter = max(0, min(4, round((skill + rng.gauss(0, 0.15)) * 4)))
        return _d(max_marks * quarter / 4), None

    def mark_category(self, oc: Offered, scheme, users: list[int], day: date,
                      stop_after: str | None = None, pin_silver: EntryRef | None = None) -> None:
        """Marks for every registered entry, sheet by sheet; confirmed and locked unless
        ``stop_after`` (the open competition: A confirmed, B submitted, C a draft, no D, E)."""
        marked = [e for e in oc.entries if e.status == "registered"]
        if not marked:
            return
        aspects = [(crid, a) for crid, _code, aspect_list in scheme for a in aspect_list]
        vectors = [[self._mark(e.skill, a[1], a[2]) for _crid, a in aspects] for e in marked]
        if pin_silver is not None and len(marked) >= 3:
            # The seed article's prize-winner: second place, clear of first and third.
            for _ in range(50):
                totals = sorted(((sum(v for v, _j in vec), vec) for vec in vectors),
                                key=lambda item: -item[0])
                if totals[0][0] > totals[1][0] > totals[2][0]:
                    break
                vectors = [[self._mark(min(0.98, e.skill + 0.1 * k), a[1], a[2])
                            for _crid, a in aspects] for k, e in enumerate(marked)]
            silver = totals[1][1]
            others = [vec for _t, vec in totals if vec is not silver]
            index = marked.index(pin_silver)
            vectors = others[:index] + [silver] + others[index:]
        chief, marker = users[0], users[1]
        for entry, vec in zip(marked, vectors, strict=True):
            entry.total = _d(sum((v for v, _j in vec), Decimal(0)))
        when = _at(day + timedelta(days=2), 16)
        offsets, position = {}, 0
        for crid, _code, aspect_list in scheme:
            offsets[crid] = position
            position += len(aspect_list)
        for crid, code, aspect_list in scheme:
            if stop_after is not None and code > "C":
                break
            status = "confirmed"
            if stop_after is not None:
                status = {"A": "confirmed", "B": "submitted", "C": "draft"}[code]
            sid = self.new_id("score_sheets")
            steps = {"draft": ["save"], "submitted": ["save", "submit"],
                     "confirmed": ["save", "submit", "confirm"]}[status]
            self.add("score_sheets", {
                "id": sid, "offered_category_id": oc.id, "criterion_id": crid, "status": status,
                "locked": status == "confirmed", "version": len(steps), "updated_at": when,
                "updated_by_id": chief if status == "confirmed" else marker,
                "submitted_at": when if status != "draft" else None,
                "submitted_by_id": marker if status != "draft" else None,
                "confirmed_at": when if status == "confirmed" else None,
                "confirmed_by_id": chief if status == "confirmed" else None})
            snapshot = {}
            first = offsets[crid]
            for entry, vec in zip(marked, vectors, strict=True):
                for a, (value, judges) in zip(aspect_list, vec[first:first + len(aspect_list)],
                                              strict=True):
                    self.add("marks", {"id": self.new_id("marks"), "sheet_id": sid,
                                       "entry_id": entry.id, "aspect_id": a[0], "value": value,
                                       "judge_scores": judges})
                    snapshot[f"{entry.id}:{a[0]}"] = {"value": str(value), "judges": judges}
            for number, action in enumerate(steps, start=1):
                self.add("score_sheet_versions", {
                    "id": self.new_id("score_sheet_versions"), "sheet_id": sid,
                    "number": number, "action": action,
                    "author_id": chief if action == "confirm" else marker,
                    "created_at": when, "reason": None, "marks": snapshot})
        if stop_after is not None:
            for entry in marked:
                entry.total = None  # not complete: nothing is ranked yet

    # --- results ----------------------------------------------------------------------------

    def rank(self, slug: str, offered: list[Offered], threshold: Decimal | None) -> dict:
        """Rank each category by ``services.medals``; the snapshot as ``results.snapshot``."""
        snapshot = {}
        for oc in offered:
            rankable = [e for e in oc.entries if e.status == "registered"]
            by_id = {e.id: e for e in rankable}
            for standing in medals.standings(slug, [(e.id, e.total) for e in rankable], threshold):
                entry = by_id[standing.entry_id]
                entry.rank, entry.award = standing.rank, standing.award
            rows = sorted(oc.entries, key=lambda e: (
                e.rank is None, e.rank or 0, e.status != "registered", e.id))
            snapshot[str(oc.id)] = [
                [e.id, str(e.total) if e.total is not None else None, e.rank, e.award]
                for e in rows]
        return snapshot

    def publish_bulk(self, cid: int, slug: str, offered: list[Offered],
                     threshold: Decimal | None, day: date) -> None:
        snapshot = self.rank(slug, offered, threshold)
        pid = self.new_id("publications")
        when = _at(day + timedelta(days=5), 12)
        self.add("publications", {"id": pid, "competition_id": cid, "number": 1,
                                  "published_at": when, "published_by_id": self.accounts["organiser"],
                                  "snapshot": {"standings": snapshot}})
        added = 0
        for oc in offered:
            for e in oc.entries:
                if e.award:
                    e.award_id = self.new_id("awards")
                    self.add("awards", {
                        "id": e.award_id, "competition_id": cid, "entry_id": e.id,
                        "person_id": None, "kind": e.award, "source": "results", "title": None,
                        "reason": None, "granted_by": None, "place": e.rank, "points": e.total,
                        "publication_id": pid, "created_at": when,
                        "region_id": self.medal_region(e),
                        "created_by_id": self.accounts["organiser"], "updated_at": when})
                    added += 1
        self.audit("results.publish", "publications", pid, cid, when,
                   {"awards": {"added": added, "changed": 0, "removed": 0}, "number": 1,
                    "old": "marking", "new": "results_published", "source": "demo"})

    def medal_region(self, entry: EntryRef) -> int:
        """The region an award of ``entry`` counts for: the one rule, on ids."""
        return medal_region([self.regions[m.region_code].id for m in entry.members])

    def audit(self, action: str, object_type: str, object_id: int | None,
              competition_id: int | None, when: datetime, details: dict) -> None:
        self.add("audit_log", {"id": self.new_id("audit_log"), "at": when,
                               "user_id": self.accounts["organiser"], "action": action,
                               "object_type": object_type, "object_id": object_id,
                               "competition_id": competition_id, "details": details})

    # --- a whole stage with marking ---------------------------------------------------------

    def run_stage(self, cid: int, slug: str, code: str | None, offered: list[Offered],
                  starts: date, threshold, *, publish: bool = True, stop_after=None,
                  pin_silver: EntryRef | None = None) -> None:
        by_occ: dict[int, list[Offered]] = defaultdict(list)
        for oc in offered:
            by_occ[oc.occ_id].append(oc)
        for occ_id, ocs in by_occ.items():
            competency_id = ocs[0].competency[0]
            entries = [e for oc in ocs for e in oc.entries]
            n = 3 + (1 if len(entries) >= 8 else 0)
            users = self.experts_for(code, competency_id, n)
            self.assign(occ_id, users, entries, starts - timedelta(days=30))
            scheme = self.scheme(occ_id)
            for oc in ocs:
                pin = pin_silver if pin_silver is not None and pin_silver in oc.entries else None
                self.mark_category(oc, scheme, users, starts, stop_after, pin)
        if publish:
            self.publish_bulk(cid, slug, offered, threshold, starts)

    # --- upper stages -----------------------------------------------------------------------

    def upper_stage(self, slug: str, stage: str, starts: date, sources: list[list[Offered]],
                    takes, status: str) -> tuple[int, list[Offered]]:
        """A selection stage or a final: those of ``sources`` that ``takes(entry)``, in the
        same competency and category (teams keep their members)."""
        threshold = _d(70) if slug == "professionaly" else None
        cid = self.competition(slug, SEASON, stage, None, starts, 4, status, threshold)
        occ_ids: dict[int, int] = {}
        offered_by_key: dict[tuple[int, int], Offered] = {}
        result: list[Offered] = []
        registered = starts - timedelta(days=30)
        for source in sources:
            for oc in source:
                for e in oc.entries:
                    if not takes(e):
                        continue
                    key = (oc.competency[0], oc.category[0])
                    target = offered_by_key.get(key)
                    if target is None:
                        target = self.offer(cid, oc.competency, [oc.category], occ_ids)[0]
                        offered_by_key[key] = target
                        result.append(target)
                    team = e.team_name
                    if team and not team.endswith(")"):
                        team = f"{team} ({self.regions[e.region_code].name})"
                    skill = min(0.99, e.skill + self.rng.gauss(0.02, 0.05))
                    self.entry(target, e.members, registered, team, "registered", skill)
        return cid, result

    # --- the whole load ---------------------------------------------------------------------

    def regional_plan(self, slug: str, budget: int) -> list[str]:
        n = max(MIN_REGIONS[slug], min(len(self.regions), round(budget / ENTRIES_PER_REGIONAL)))
        return [ORENBURG] + self.region_order[:n - 1]

    def run(self) -> Report:
        started = time.perf_counter()
        report = Report()
        self.load_reference()
        self.load_existing_keys()
        self.expert_pools: dict = {}
        report.accounts = self.build_accounts()
        others = [c for c in self.regions if c != ORENBURG]
        self.rng.shuffle(others)
        self.region_order = others
        budgets = {slug: int(self.scale * REGIONAL_SHARE * share)
                   for slug, share in KIND_SHARES.items()}
        plans = {slug: self.regional_plan(slug, budget) for slug, budget in budgets.items()}
        used = sorted({c for plan in plans.values() for c in plan})
        self.build_organisations(used)
        self.pinned_org = self.orgs[ORENBURG]["college"][0]
        pins = {
            "inyavin": {"gender": "m", "name": ("Инявин", "Никита", None),
                        "birth": date(2005, 4, 17), "competency":
                        "Проектирование и изготовление пресс-форм", "category": "Основная"},
            "chuvashova": {"gender": "f", "name": ("Чувашова", "Дарья", None),
                           "birth": date(2005, 10, 3), "competency": "Видеопроизводство",
                           "category": "Основная"},
            "shmal": {"gender": "m", "name": ("Шмаль", "Александр", "Владимирович"),
                      "birth": date(1978, 3, 14), "competency": None,
                      "category": "Педагогические работники"},
        }
        self.log(f"regions: {len(used)}, organisations: {self.counts['organisations']}")
        # The demo experts: chief and expert of «Сварочные технологии» in Оренбургская область.
        for competencies in self.competencies.values():
            for competency in competencies:
                if competency[1] == "Сварочные технологии":
                    self.expert_pools[(ORENBURG, competency[0])] = [
                        self.accounts["chief.expert"], self.accounts["expert"]]

        stages: dict[str, list[tuple[int, list[Offered]]]] = defaultdict(list)
        season_days = {"professionaly": (date(SEASON, 2, 5), 70),
                       "abilympics": (date(SEASON, 3, 4), 80),
                       "master_of_the_year": (date(SEASON, 4, 1), 80)}
        master_first = self.competencies["master_of_the_year"][0][1] \
            if self.competencies["master_of_the_year"] else None
        pins["shmal"]["competency"] = master_first
        for slug, plan in plans.items():
            first, spread = season_days[slug]
            share, rest = divmod(budgets[slug], len(plan))
            for i, code in enumerate(plan):
                if not self.competencies[slug]:
                    break
                starts = first + timedelta(days=self.rng.randint(0, spread))
                pinned = []
                if code == ORENBURG:
                    pinned = [p for p in pins.values() if p["competency"] and (
                        (slug == "master_of_the_year") == (p["category"]
                                                         == "Педагогические работники"))]
                    if slug == "abilympics":
                        pinned = []
                cid, offered, threshold = self.regional(
                    slug, code, SEASON, starts, share + (1 if i < rest else 0),
                    "results_published", pinned)
                silver = pins["inyavin"].get("entry") if code == ORENBURG and \
                    slug == "professionaly" else None
                self.run_stage(cid, slug, code, offered, starts, threshold, pin_silver=silver)
                stages[slug].append((cid, offered))
            self.log(f"{slug}: {len(plan)} regional stages, entries so far "
                     f"{self.counts['entries']}")

        # Upper stages of 2024: Профессионалы selection (regional gold) and final (selection
        # medallists); Абилимпикс and Мастер года finals (regional winners).
        finals: list[int] = []
        prof = [offered for _cid, offered in stages["professionaly"]]
        sel_day = date(SEASON, 5, 20)
        cid, selection = self.upper_stage("professionaly", "selection", sel_day, prof,
                                          lambda e: e.rank == 1, "results_published")
        self.run_stage(cid, "professionaly", None, selection, sel_day, _d(70))
        final_day = date(SEASON, 9, 16)
        cid, final = self.upper_stage("professionaly", "final", final_day, [selection],
                                      lambda e: e.rank is not None and e.rank <= 3, "marking")
        self.run_stage(cid, "professionaly", None, final, final_day, _d(70), publish=False)
        finals.append(cid)
        for slug, day, winners in (
                ("abilympics", date(SEASON, 11, 11), lambda e: e.rank == 1),
                ("master_of_the_year", date(SEASON, 10, 1), lambda e: e.award == "winner")):
            sources = [offered for _cid, offered in stages[slug]]
            if not sources:
                continue
            cid, final = self.upper_stage(slug, "final", day, sources, winners, "marking")
            self.run_stage(cid, slug, None, final, day, None, publish=False)
            finals.append(cid)
        self.log(f"season {SEASON}: entries {self.counts['entries']}")

        self.next_season(stages["professionaly"])
        self.special_awards(stages)
        self.random_offers(stages)
        self.audit("demo.load", "competitions", None, None, datetime(NEXT_SEASON, 1, 15, 9),
                   {"seed": self.seed, "scale": self.scale})
        self.flush()
        self.sync_sequences()
        self.log(f"bulk rows written: {sum(self.counts.values())} "
                 f"({time.perf_counter() - started:.1f} s)")

        from ..services import results as results_service
        for cid in finals:
            results_service.publish(db.session.get(Competition, cid),
                                    actor=db.session.get(User, self.accounts["organiser"]))
        self.article_offers(pins)
        report.created = dict(self.counts)
        report.seconds = time.perf_counter() - started
        return report

    def next_season(self, prof_stages) -> None:
        """2025 regional stages in a few regions, still open; the persons of 2024 come back."""
        budget = max(10, int(self.scale * NEXT_SEASON_SHARE))
        plan = [ORENBURG] + self.region_order[:max(1, min(4, budget // 150))]
        share = budget // len(plan)
        for i, code in enumerate(plan):
            if code not in self.orgs:
                continue
            starts = date(NEXT_SEASON, 2, 10) + timedelta(days=7 * i)
            status = "marking" if code == ORENBURG else "registration"
            cid, offered, _threshold = self.regional("professionaly", code, NEXT_SEASON, starts,
                                                     share, status, [])
            if code == ORENBURG:
                self.run_stage(cid, "professionaly", code, offered, starts, None,
                               publish=False, stop_after="C")

    def special_awards(self, stages) -> None:
        rng = self.rng
        competition_of = {oc.id: cid for slug in stages for cid, offered in stages[slug]
                          for oc in offered}
        candidates = [e for slug in stages for _cid, offered in stages[slug]
                      for oc in offered for e in oc.entries
                      if e.status == "registered" and e.award is None]
        count = max(3, self.scale // 400)
        for entry in rng.sample(candidates, min(count, len(candidates))):
            title, by = rng.choice(N.SPECIAL_AWARDS)
            cid = competition_of[entry.oc_id]
            when = datetime(SEASON, 6, 1, 12)
            aid = self.new_id("awards")
            self.add("awards", {
                "id": aid, "competition_id": cid, "entry_id": entry.id, "person_id": None,
                "kind": "special", "source": "manual", "title": title, "reason": None,
                "granted_by": by, "place": None, "points": None, "publication_id": None,
                "region_id": self.medal_region(entry),
                "created_at": when, "created_by_id": self.accounts["organiser"],
                "updated_at": when})
            self.audit("award.grant", "awards", aid, cid, when,
                       {"title": title, "entry": entry.id, "source": "demo"})

    def partner(self, name: str, kind: str, country: str | None, city: str | None) -> int:
        key = name_key(name)
        if key not in self.partner_keys:
            pid = self.new_id("partners")
            self.add("partners", {"id": pid, "name": name, "name_key": key, "kind": kind,
                                  "country": country, "city": city})
            self.partner_keys[key] = pid
        return self.partner_keys[key]

    def random_offers(self, stages) -> None:
        """Offers to medallists: internships, practice, training, in every state."""
        rng = self.rng
        medallists = [e for _cid, offered in stages["professionaly"] for oc in offered
                      for e in oc.entries if e.award in ("gold", "silver", "bronze")]
        count = max(5, self.scale // 250)
        states = ("offered", "offered", "accepted", "accepted", "completed", "declined")
        for entry in rng.sample(medallists, min(count, len(medallists))):
            name, pkind, country, city = rng.choice(N.PARTNERS[3:])
            partner = self.partner(name, pkind, country, city)
            kind = rng.choice(("internship", "practice", "training"))
            person = entry.members[0]
            starts = date(NEXT_SEASON, rng.randint(6, 8), 1)
            state = rng.choice(states)
            when = datetime(SEASON, 10, 15, 12)
            self.add("internship_offers", {
                "id": self.new_id("internship_offers"), "person_id": person.id,
                "award_id": getattr(entry, "award_id", None), "partner_id": partner,
                "kind": kind, "description": N.OFFER_TEXTS[kind], "country": country,
                "city": city, "starts_on": starts, "ends_on": starts + timedelta(days=42),
                "state": state,
                "state_changed_at": when + timedelta(days=20) if state != "offered" else None,
                "state_changed_by_id": self.accounts["coordinator"] if state != "offered" else None,
                "created_at": when, "created_by_id": self.accounts["coordinator"]})

    def article_offers(self, pins) -> None:
        """The seed article's three offers, through ``services.offers`` (with its checks)."""
        from ..models import Award
        from ..services.offers import OfferData, create_offer

        actor = db.session.get(User, self.accounts["coordinator"])
        specs = {
            "shmal": OfferData(
                partner_name="Федеральный технопарк профессионального образования",
                partner_kind="technopark", kind="training", country="Россия", city="Калуга",
                description="Обучение в Федеральном технопарке профессионального образования"),
            "chuvashova": OfferData(
                partner_name="Федеральные телеканалы", partner_kind="tv_channel",
                kind="practice", country="Россия", city="Москва",
                description="Практика на федеральных телеканалах"),
            "inyavin": OfferData(
                partner_name="Партнёр в Китае", partner_kind="foreign_partner", kind="internship",
                country="Китай", description="Стажировка в Китае",
                starts_on=date(NEXT_SEASON, 7, 1), ends_on=date(NEXT_SEASON, 8, 15)),
        }
        for key, data in specs.items():
            entry = pins[key].get("entry")
            if entry is None:
                continue  # not made (the person existed already: --append)
            person = db.session.get(Person, entry.members[0].id)
            if key == "inyavin":
                data.award = db.session.scalar(select(Award).where(Award.entry_id == entry.id))
            create_offer(person, data, actor=actor)
            self.counts["internship_offers"] += 1
