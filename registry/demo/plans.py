"""How a demo season of each kind looks: data only, the one place of the demo that names kinds.

The rules of a kind (its awards, the medallion, adults only, health data) are not here but in
``registry.kinds``; this is what a made-up season needs besides: how many entries, which
categories a regional stage offers, when the stages run and who goes on to the next one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .. import kinds
from .records import SEASON

REGIONAL_SHARE = 0.86
NEXT_SEASON_SHARE = 0.04
ENTRIES_PER_REGIONAL = 120
# Age ranges per category (on the competition's first day).
AGES = {
    "Основная": (16, 22), "Юниоры": (14, 17), "Школьники": (14, 17), "Студенты": (16, 22),
    "Специалисты": (23, 55), "Педагогические работники": (24, 62),
}
MEDALLION_THRESHOLDS = (65, 70, 72)  # of a regional stage, where the kind has the medallion
UPPER_MEDALLION_THRESHOLD = 70


def first_place(entry) -> bool:
    return entry.rank == 1


def medallist(entry) -> bool:
    return entry.rank is not None and entry.rank <= 3


def winner(entry) -> bool:
    return entry.award == kinds.WINNER


@dataclass(frozen=True)
class UpperStage:
    stage: str                      # "selection" or "final"
    starts: date
    takes: Callable                 # which entries of the stage before go on
    published: bool                 # in bulk now; False: left in marking, published at the end


@dataclass(frozen=True)
class KindPlan:
    share: float                    # of the season's entries
    entries_per_competency: int     # at a regional stage, over its categories
    min_regions: int
    season_starts: date             # the first regional stage; the others within ``spread``
    spread: int                     # days
    # The chance that a regional stage offers a competency in a category (1: always; a name
    # not listed: always); ``individual_only`` categories are never offered for teams.
    category_odds: dict[str, float] = field(default_factory=dict)
    individual_only: tuple[str, ...] = ()
    featured: bool = False          # every regional stage offers N.FEATURED_COMPETENCIES
    pins: tuple[str, ...] = ()      # the seed article's persons who compete in this kind
    silver_pin: str | None = None   # the one of them who takes silver at the regional stage
    upper_stages: tuple[UpperStage, ...] = ()
    next_season: bool = False       # open regional stages of the next season
    offers: bool = False            # random internship offers to the medallists


PLANS: dict[str, KindPlan] = {
    "professionaly": KindPlan(
        share=0.66, entries_per_competency=16, min_regions=3,
        season_starts=date(SEASON, 2, 5), spread=70,
        category_odds={"Юниоры": 0.45}, individual_only=("Юниоры",), featured=True,
        pins=("inyavin", "chuvashova"), silver_pin="inyavin",
        upper_stages=(UpperStage("selection", date(SEASON, 5, 20), first_place, True),
                      UpperStage("final", date(SEASON, 9, 16), medallist, False)),
        next_season=True, offers=True),
    "abilympics": KindPlan(
        share=0.20, entries_per_competency=20, min_regions=2,
        season_starts=date(SEASON, 3, 4), spread=80,
        category_odds={"Школьники": 0.6, "Студенты": 0.6, "Специалисты": 0.6},
        upper_stages=(UpperStage("final", date(SEASON, 11, 11), first_place, False),)),
    "master_of_the_year": KindPlan(
        share=0.12, entries_per_competency=30, min_regions=2,
        season_starts=date(SEASON, 4, 1), spread=80,
        pins=("shmal",),
        upper_stages=(UpperStage("final", date(SEASON, 10, 1), winner, False),)),
}


def pins() -> dict[str, dict]:
    """The seed article's three persons, fixed; ``competency`` None: the kind's first."""
    return {
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
