"""The demo's persons, organisations and accounts (a mixin of ``generate.Generator``):
plausible Russian names with gender agreement of surname and patronymic, ages that fit the
categories, consents (a guardian's for minors; a few missing), health records where the kind
has them; colleges, schools and employers per region; the demo and expert accounts."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Competition, Organisation, Partner, Person, User, name_key, organisation_key, person_key
from . import names as N
from .records import SEASON, PersonRef, _at

UNUSABLE_PASSWORD = "!demo-account-no-password"  # check_password_hash() is False for it
EMAIL_DOMAIN = "demo.example.org"
DEMO_ACCOUNTS = [
    ("organiser", "organiser", "Организатор (демо)"),
    ("coordinator", "coordinator", "Координатор (демо)"),
    ("chief.expert", "expert", "Главный эксперт (демо)"),
    ("expert", "expert", "Эксперт (демо)"),
]


class People:
    """Persons, organisations and accounts."""

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
        key = (region.id, organisation_key(name))
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
               registered: date, *, health_data: bool = False, fixed: dict | None = None,
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
        if health_data and rng.random() < 0.9:  # the kind records disabilities
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

    # --- accounts ---------------------------------------------------------------------------

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
