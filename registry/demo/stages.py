"""The demo's competitions and entries (a mixin of ``generate.Generator``): regional stages
with their competencies, categories, persons and teams; selection stages and finals made of
those who go on."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .. import kinds
from ..models import name_key
from ..services.competitions import default_title
from . import names as N
from .plans import AGES, MEDALLION_THRESHOLDS, PLANS, UPPER_MEDALLION_THRESHOLD
from .records import SEASON, EntryRef, Offered, PersonRef, _at, _d


class Stages:
    """Competitions, offered competencies and categories, entries."""

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
                                              "competency_id": competency[0],
                                              "is_team": bool(competency[2])})
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
        """The categories a regional stage offers ``competency`` in, by the kind's plan."""
        plan = PLANS[slug]
        cats = self.categories[slug]
        picked = []
        for cat in cats:
            odds = plan.category_odds.get(cat[1], 1)
            if odds >= 1:
                picked.append(cat)
            elif competency[2] and cat[1] in plan.individual_only:
                continue
            elif self.rng.random() < odds:
                picked.append(cat)
        return picked or [self.rng.choice(cats)]

    def regional(self, slug: str, code: str, year: int, starts: date, budget: int,
                 status: str, pinned: list[dict]) -> tuple[int, list[Offered], Decimal | None]:
        rng = self.rng
        health_data = kinds.rules(slug).health_data
        threshold = _d(rng.choice(MEDALLION_THRESHOLDS)) if kinds.rules(slug).has_medallion \
            else None
        cid = self.competition(slug, year, "regional", code, starts, 4, status, threshold)
        pool = self.competencies[slug]
        n_comp = max(2, min(len(pool), round(budget / PLANS[slug].entries_per_competency)))
        chosen = []
        must = [p["competency"] for p in pinned]
        if PLANS[slug].featured:
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
                                                health_data=health_data)],
                               registered, None, status)
        return cid, offered, threshold

    # --- upper stages -----------------------------------------------------------------------

    @staticmethod
    def upper_threshold(slug: str) -> Decimal | None:
        """The medallion threshold of a selection stage or a final, where the kind has one."""
        return _d(UPPER_MEDALLION_THRESHOLD) if kinds.rules(slug).has_medallion else None

    def upper_stage(self, slug: str, stage: str, starts: date, sources: list[list[Offered]],
                    takes, status: str) -> tuple[int, list[Offered]]:
        """A selection stage or a final: those of ``sources`` that ``takes(entry)``, in the
        same competency and category (teams keep their members)."""
        cid = self.competition(slug, SEASON, stage, None, starts, 4, status,
                               self.upper_threshold(slug))
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
