"""The medal rules: pure functions, no database."""
from decimal import Decimal as D

import pytest

from registry.services import medals


def awards(kind, totals, threshold=None):
    return [(s.rank, s.award) for s in
            medals.standings(kind, list(enumerate(totals, start=1)), threshold)]


def test_rank_is_standard_competition_ranking():
    ranked = medals.rank([(1, D("90")), (2, D("95")), (3, D("90")), (4, D("80")), (5, None)])
    assert [(s.entry_id, s.rank) for s in ranked] == [(2, 1), (1, 2), (3, 2), (4, 4)]


@pytest.mark.parametrize("kind", ["professionaly", "abilympics"])
def test_gold_silver_bronze(kind):
    assert awards(kind, [D(90), D(80), D(70), D(60)]) == [
        (1, "gold"), (2, "silver"), (3, "bronze"), (4, None)]


@pytest.mark.parametrize("kind", ["professionaly", "abilympics"])
def test_two_golds_no_silver_then_bronze(kind):
    assert awards(kind, [D(90), D(90), D(70), D(60)]) == [
        (1, "gold"), (1, "gold"), (3, "bronze"), (4, None)]


def test_shared_silver_leaves_no_bronze():
    assert awards("abilympics", [D(90), D(80), D(80), D(70)]) == [
        (1, "gold"), (2, "silver"), (2, "silver"), (4, None)]


def test_three_golds_and_nothing_else():
    assert awards("professionaly", [D(50)] * 3 + [D(40)]) == [
        (1, "gold"), (1, "gold"), (1, "gold"), (4, None)]


def test_shared_bronze():
    assert awards("professionaly", [D(90), D(80), D(70), D(70), D(60)]) == [
        (1, "gold"), (2, "silver"), (3, "bronze"), (3, "bronze"), (5, None)]


def test_medallion_for_non_medallists_at_or_above_threshold():
    result = awards("professionaly", [D(95), D(90), D(85), D("70.00"), D("69.99")], D(70))
    assert result == [(1, "gold"), (2, "silver"), (3, "bronze"), (4, "medallion"), (5, None)]


def test_no_medallion_without_threshold_or_at_abilympics():
    assert awards("professionaly", [D(95), D(90), D(85), D(80)])[3] == (4, None)
    assert awards("abilympics", [D(95), D(90), D(85), D(80)], D(50))[3] == (4, None)


def test_master_of_the_year_one_winner_and_ten_prize_winners():
    result = awards("master_of_the_year", [D(100 - i) for i in range(13)])
    assert result[0] == (1, "winner")
    assert [a for _r, a in result[1:11]] == ["prize_winner"] * 10
    assert result[11:] == [(12, None), (13, None)]


def test_master_of_the_year_tie_for_first_gives_joint_winners():
    result = awards("master_of_the_year", [D(90), D(90), D(80)])
    assert result == [(1, "winner"), (1, "winner"), (3, "prize_winner")]


def test_master_of_the_year_tie_across_the_cut_gets_no_prize():
    # places 10, 11, 12 tied: the group does not fit in places 2–11, nobody of it gets a prize
    totals = [D(100 - i) for i in range(9)] + [D(50)] * 3
    result = awards("master_of_the_year", totals)
    assert sum(1 for _r, a in result if a == "prize_winner") == 8
    assert result[9:] == [(10, None)] * 3


def test_master_of_the_year_tie_that_fits_shares_the_prize():
    # places 10 and 11 tied: the group fits, both are prize-winners (ten in all)
    result = awards("master_of_the_year", [D(100 - i) for i in range(9)] + [D(50), D(50)])
    assert result[-2:] == [(10, "prize_winner"), (10, "prize_winner")]
    assert sum(1 for _r, a in result if a == "prize_winner") == 10


def test_unmarked_entries_are_not_ranked():
    assert medals.standings("professionaly", [(1, None), (2, D(10))]) == [
        medals.Standing(2, D(10), 1, "gold")]
