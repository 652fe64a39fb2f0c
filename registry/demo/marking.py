"""The demo's experts and marks (a mixin of ``generate.Generator``): expert assignments with
a chief expert and trainers (эксперты-наставники, the conflict of interest), marking schemes
(criteria A–E, 100 points, measurement and judgement aspects), marks, score sheets confirmed
and locked with their versions — or, in the open competition, part-way."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..services.marking import judgement_mark
from . import names as N
from .records import EntryRef, Offered, _at, _d


class Marking:
    """Experts, schemes, marks and score sheets."""

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
                "user_id": uid, "role": "chief" if i == 0 else "expert", "organisation_id": org, "region_id": None,
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
