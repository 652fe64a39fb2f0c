"""The demo's publications, awards and offers (a mixin of ``generate.Generator``).

A stage is published with the very functions ``services.results.publish`` uses: each category
ranked by ``results.rank_category`` (the kind's rules from ``registry.kinds``), the standings
stored as ``results.publication_content``, the awards those of ``awards.results_awards`` with
the region of ``awards.medal_region`` — only written here as bulk rows rather than one object
at a time. Then special awards, and internship offers (the seed article's three through
``services.offers``).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from .. import kinds
from ..extensions import db
from ..models import Person, User, name_key
from ..services import awards as award_service
from ..services import published
from ..services import results as results_service
from . import names as N
from .plans import PLANS
from .records import NEXT_SEASON, SEASON, EntryRef, Offered, _at


class Publishing:
    """Publications with their awards, special awards, partners and offers."""

    def standings(self, slug: str, offered: list[Offered], threshold: Decimal | None):
        """The standings of a stage, as ``results.competition_standings`` computes them; each
        entry record learns its rank and award (the next stages and the offers ask them)."""
        categories = [
            results_service.rank_category(slug, threshold, oc, oc.entries,
                                          {e.id: e.total for e in oc.entries})
            for oc in offered]
        standings = results_service.CompetitionStandings(None, categories)
        standings.snapshot = results_service.snapshot(standings)
        for category in categories:
            for row in category.rows:
                row.entry.rank, row.entry.award = row.rank, row.award
        return standings

    def publish_bulk(self, cid: int, slug: str, offered: list[Offered],
                     threshold: Decimal | None, day: date) -> None:
        standings = self.standings(slug, offered, threshold)
        pid = self.new_id("publications")
        content = results_service.publication_content(standings)
        when = _at(day + timedelta(days=5), 12)
        self.add("publications", {"id": pid, "competition_id": cid, "number": 1,
                                  "published_at": when, "published_by_id": self.accounts["organiser"],
                                  "snapshot": content})
        for row in published.category_rows(pid, content):
            self.add("published_categories", row)
        wanted = award_service.results_awards(standings)
        for oc in offered:
            for e in oc.entries:
                if e.id not in wanted:
                    continue
                kind, place, points = wanted[e.id]
                e.award_id = self.new_id("awards")
                self.add("awards", {
                    "id": e.award_id, "competition_id": cid, "entry_id": e.id,
                    "person_id": None, "kind": kind, "source": "results", "title": None,
                    "reason": None, "granted_by": None, "place": place, "points": points,
                    "publication_id": pid, "created_at": when,
                    "region_id": self.medal_region(e),
                    "created_by_id": self.accounts["organiser"], "updated_at": when})
        self.audit("results.publish", "publications", pid, cid, when,
                   {"awards": {"added": len(wanted), "changed": 0, "removed": 0}, "number": 1,
                    "old": "marking", "new": "results_published", "source": "demo"})

    def medal_region(self, entry: EntryRef) -> int:
        """The region an award of ``entry`` counts for: the one rule, on ids."""
        return award_service.medal_region([self.regions[m.region_code].id for m in entry.members])

    def audit(self, action: str, object_type: str, object_id: int | None,
              competition_id: int | None, when: datetime, details: dict) -> None:
        self.add("audit_log", {"id": self.new_id("audit_log"), "at": when,
                               "user_id": self.accounts["organiser"], "action": action,
                               "object_type": object_type, "object_id": object_id,
                               "competition_id": competition_id, "details": details})

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
        medallists = [e for slug, plan in PLANS.items() if plan.offers
                      for _cid, offered in stages[slug] for oc in offered
                      for e in oc.entries if e.award in kinds.MEDALS]
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
