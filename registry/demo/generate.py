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

The generator is made of parts by domain: ``people`` (persons, organisations, accounts),
``stages`` (competitions, entries, upper stages), ``marking`` (experts, schemes, marks),
``publication`` (publications, awards, offers), on ``records`` (the bulk writer and what it
keeps of the rows). What each kind's season looks like is data in ``plans``; the kinds' rules
come from ``registry.kinds``.

Speed: rows are written with Core bulk inserts, ids computed here (from the tables' maxima; on
PostgreSQL the sequences are moved past them afterwards). Stages are ranked and their awards
made by the functions ``services.results.publish`` uses (``results.rank_category``,
``results.publication_content``, ``awards.results_awards``), written as bulk rows; the finals
are published through ``services.results.publish`` itself.
"""
from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Category, Competency, Competition, CompetitionKind, Region, User, competency_kinds
from ..services import release as release_service
from ..services import results as results_service
from .marking import Marking
from .people import People
from .plans import ENTRIES_PER_REGIONAL, NEXT_SEASON_SHARE, PLANS, REGIONAL_SHARE, pins
from .publication import Publishing
from .records import NEXT_SEASON, ORENBURG, SEASON, Bulk, DemoRefused, EntryRef, Offered, Report
from .stages import Stages

__all__ = ["DemoRefused", "Generator", "Report"]


class Generator(Bulk, People, Stages, Marking, Publishing):
    def __init__(self, scale: int, seed: int = 2024, *, password_hash: str | None = None, log=None,
                 on_stage=None):
        super().__init__()
        self.scale = max(50, int(scale))
        self.seed = seed
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.log = log or (lambda message: None)
        # ``on_stage(done, total)``: a progress bar's, called after each stage is made
        self.on_stage = on_stage or (lambda done, total: None)

    # --- reference data ---------------------------------------------------------------------

    def load_reference(self) -> None:
        self.regions = {r.code: r for r in db.session.scalars(select(Region).order_by(Region.code))}
        self.kinds = {k.slug: k for k in db.session.scalars(select(CompetitionKind))}
        missing = [slug for slug in PLANS if slug not in self.kinds]
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

    # --- the whole load ---------------------------------------------------------------------

    def regional_plan(self, slug: str, budget: int) -> list[str]:
        n = max(PLANS[slug].min_regions,
                min(len(self.regions), round(budget / ENTRIES_PER_REGIONAL)))
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
        budgets = {slug: int(self.scale * REGIONAL_SHARE * plan.share)
                   for slug, plan in PLANS.items()}
        plans = {slug: self.regional_plan(slug, budget) for slug, budget in budgets.items()}
        stage_total = sum(len(plan) for plan in plans.values()) + sum(
            len(kind_plan.upper_stages) for kind_plan in PLANS.values())
        stages_done = 0
        used = sorted({c for plan in plans.values() for c in plan})
        self.build_organisations(used)
        self.pinned_org = self.orgs[ORENBURG]["college"][0]
        pinned_persons = pins()
        self.log(f"regions: {len(used)}, organisations: {self.counts['organisations']}")
        # The demo experts: chief and expert of «Сварочные технологии» in Оренбургская область.
        for competencies in self.competencies.values():
            for competency in competencies:
                if competency[1] == "Сварочные технологии":
                    self.expert_pools[(ORENBURG, competency[0])] = [
                        self.accounts["chief.expert"], self.accounts["expert"]]

        stages: dict[str, list[tuple[int, list[Offered]]]] = defaultdict(list)
        for slug, kind_plan in PLANS.items():
            for key in kind_plan.pins:  # no competency given: the kind's first
                if pinned_persons[key]["competency"] is None and self.competencies[slug]:
                    pinned_persons[key]["competency"] = self.competencies[slug][0][1]
        for slug, plan in plans.items():
            kind_plan = PLANS[slug]
            share, rest = divmod(budgets[slug], len(plan))
            for i, code in enumerate(plan):
                if not self.competencies[slug]:
                    break
                starts = kind_plan.season_starts + timedelta(
                    days=self.rng.randint(0, kind_plan.spread))
                pinned = []
                if code == ORENBURG:
                    pinned = [pinned_persons[key] for key in kind_plan.pins
                              if pinned_persons[key]["competency"]]
                cid, offered, threshold = self.regional(
                    slug, code, SEASON, starts, share + (1 if i < rest else 0),
                    "results_published", pinned)
                silver = pinned_persons[kind_plan.silver_pin].get("entry") \
                    if code == ORENBURG and kind_plan.silver_pin else None
                self.run_stage(cid, slug, code, offered, starts, threshold, pin_silver=silver)
                stages[slug].append((cid, offered))
                stages_done += 1
                self.on_stage(stages_done, stage_total)
            self.log(f"{slug}: {len(plan)} regional stages, entries so far "
                     f"{self.counts['entries']}")

        # Upper stages of the season, each of those who go on from the stage before
        # (Профессионалы: a selection stage of the regional gold, the final of its
        # medallists; Абилимпикс and Мастер года: finals of the regional winners). The last
        # stages are left in marking and published at the end by ``results.publish``.
        finals: list[int] = []
        for slug, kind_plan in PLANS.items():
            sources = [offered for _cid, offered in stages[slug]]
            for upper in kind_plan.upper_stages:
                if not sources:
                    break
                cid, offered = self.upper_stage(
                    slug, upper.stage, upper.starts, sources, upper.takes,
                    "results_published" if upper.published else "marking")
                threshold = self.upper_threshold(slug)
                self.run_stage(cid, slug, None, offered, upper.starts, threshold,
                               publish=upper.published)
                stages_done += 1
                self.on_stage(stages_done, stage_total)
                if not upper.published:
                    finals.append(cid)
                sources = [offered]
        self.on_stage(stage_total, stage_total)
        self.log(f"season {SEASON}: entries {self.counts['entries']}")

        for slug, kind_plan in PLANS.items():
            if kind_plan.next_season:
                self.next_season(slug)
        self.special_awards(stages)
        self.random_offers(stages)
        self.audit("demo.load", "competitions", None, None, datetime(NEXT_SEASON, 1, 15, 9),
                   {"seed": self.seed, "scale": self.scale})
        self.flush()
        self.sync_sequences()
        self.log(f"bulk rows written: {sum(self.counts.values())} "
                 f"({time.perf_counter() - started:.1f} s)")

        organiser = db.session.get(User, self.accounts["organiser"])
        for cid in finals:
            final = db.session.get(Competition, cid)
            results_service.publish(final, actor=organiser)
            # The finals' results are public, so that /public/ shows a season as a visitor
            # would see it (names by consent: ``services.public_names``).
            release_service.release(final, actor=organiser)
        self.article_offers(pinned_persons)
        report.created = dict(self.counts)
        report.seconds = time.perf_counter() - started
        return report

    def next_season(self, slug: str) -> None:
        """Next season's regional stages in a few regions, still open; the persons of this
        season come back."""
        budget = max(10, int(self.scale * NEXT_SEASON_SHARE))
        plan = [ORENBURG] + self.region_order[:max(1, min(4, budget // 150))]
        share = budget // len(plan)
        for i, code in enumerate(plan):
            if code not in self.orgs:
                continue
            starts = date(NEXT_SEASON, 2, 10) + timedelta(days=7 * i)
            status = "marking" if code == ORENBURG else "registration"
            cid, offered, _threshold = self.regional(slug, code, NEXT_SEASON, starts,
                                                     share, status, [])
            if code == ORENBURG:
                self.run_stage(cid, slug, code, offered, starts, None,
                               publish=False, stop_after="C")
