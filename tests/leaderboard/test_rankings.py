"""Rankings: composite keys, the exam ranking (best score, shorter duration, earlier submission), rebuild from the
database, institution rankings (mean with a minimum number of players; participation against the roster)."""

from decimal import Decimal

import pytest

from leaderboard.rankings import boards, selectors, services
from leaderboard.rankings import keys as ranking_keys
from leaderboard.rankings.store import get_store
from quizzes.signals import attempt_submitted
from tests.factories import InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam, submit


def ordered(keys: dict) -> list:
    return [name for name, _ in sorted(keys.items(), key=lambda kv: -kv[1])]


def test_exam_key_orders_score_then_duration_then_submission():
    keys = {
        "best": ranking_keys.exam_key(score=Decimal("95.5"), duration_s=900, submitted_min=500),
        "faster": ranking_keys.exam_key(score=Decimal("90"), duration_s=300, submitted_min=900),
        "slower_earlier": ranking_keys.exam_key(score=Decimal("90"), duration_s=301, submitted_min=1),
        "same_later": ranking_keys.exam_key(score=Decimal("90"), duration_s=301, submitted_min=2),
        "low": ranking_keys.exam_key(score=Decimal("0.01"), duration_s=1, submitted_min=0),
        "zero": ranking_keys.exam_key(score=0, duration_s=1, submitted_min=0),
    }
    assert ordered(keys) == ["best", "faster", "slower_earlier", "same_later", "low", "zero"]
    assert all(v < 2**53 for v in keys.values())


def test_exam_key_round_trips_and_clamps():
    value = ranking_keys.exam_key(score=Decimal("87.25"), duration_s=1234, submitted_min=4321)
    assert ranking_keys.exam_unpack(value) == {"score": Decimal("87.25"), "duration_s": 1234, "submitted_min": 4321}
    huge = ranking_keys.exam_unpack(ranking_keys.exam_key(score=10**9, duration_s=10**9, submitted_min=10**9))
    assert huge["score"] == Decimal("10485.75") and huge["duration_s"] == 2**14 - 1
    # a longer duration than the cap still ranks below any shorter one with the same score
    assert ranking_keys.exam_key(score=50, duration_s=10**6, submitted_min=0) < ranking_keys.exam_key(
        score=50, duration_s=16000, submitted_min=0
    )


def test_competition_key_accuracy_then_time():
    a = ranking_keys.competition_key(score=5, total_ms=9000, by_time=True)
    b = ranking_keys.competition_key(score=5, total_ms=8000, by_time=True)
    c = ranking_keys.competition_key(score=6, total_ms=99000, by_time=True)
    assert c > b > a
    assert ranking_keys.competition_unpack(b, by_time=True) == {"score": 5, "total_ms": 8000}
    assert ranking_keys.competition_key(score=7300) == 7300


def test_pack_rejects_wide_layouts():
    with pytest.raises(ValueError):
        ranking_keys.pack([1, 1], [("a", 30, True), ("b", 30, True)])


@pytest.mark.django_db
def test_exam_ranking_best_attempt_and_tie_breaks(store, inst_a):
    exam = make_exam()
    fast, slow, late, mocky = (UserFactory(institution=inst_a) for _ in range(4))
    for attempt in [
        submit(exam, fast, score=80, duration_s=500),
        submit(exam, fast, score=90, duration_s=700),  # better: replaces
        submit(exam, fast, score=70, duration_s=100),  # worse: ignored
        submit(exam, slow, score=90, duration_s=800),
        submit(exam, late, score=90, duration_s=800, after_open_min=300),
        submit(exam, mocky, score=100, mock=True),  # mock attempts never count
    ]:
        services.exam_attempt_record(attempt=attempt)
    rows = selectors.exam_ranking(exam.pk)
    assert [(r["user"], r["rank"], r["score"], r["duration_s"]) for r in rows] == [
        (fast.pk, 1, 90.0, 700),
        (slow.pk, 2, 90.0, 800),
        (late.pk, 3, 90.0, 800),
    ]
    assert rows[0]["name"] == fast.real_name and rows[0]["institution"] == inst_a.short_name
    assert selectors.exam_my_rank(exam.pk, slow.pk) == {"rank": 2, "of": 3, "score": 90.0, "duration_s": 800}
    assert selectors.exam_my_rank(exam.pk, mocky.pk) is None


@pytest.mark.django_db
def test_exact_ties_share_a_rank(store):
    exam = make_exam()
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    for user in (a, b):
        services.exam_attempt_record(attempt=submit(exam, user, score=75, duration_s=600, after_open_min=10))
    services.exam_attempt_record(attempt=submit(exam, c, score=60))
    rows = selectors.exam_ranking(exam.pk)
    assert [r["rank"] for r in rows] == [1, 1, 3]
    assert selectors.exam_my_rank(exam.pk, a.pk)["rank"] == selectors.exam_my_rank(exam.pk, b.pk)["rank"] == 1


@pytest.mark.django_db
def test_rebuild_from_database_matches_incremental(store):
    exam = make_exam()
    users = [UserFactory() for _ in range(5)]
    for i, user in enumerate(users):
        submit(exam, user, score=50 + i * 7 % 30, duration_s=300 + i * 17)
        submit(exam, user, score=40 + i * 11 % 45, duration_s=200 + i)
    key = boards.exam_board(exam.pk)
    assert get_store().size(key) == 0  # created without the signal: the board knows nothing yet
    assert services.exam_board_rebuild(exam_id=exam.pk) == 5
    rebuilt = get_store().scores(key)
    get_store().clear(key)
    from quizzes.exams.models import Attempt

    for attempt in Attempt.objects.filter(exam=exam).order_by("?"):
        services.exam_attempt_record(attempt=attempt)
    assert get_store().scores(key) == rebuilt
    # a stale entry (e.g. an attempt deleted in the database) disappears on rebuild
    get_store().set_score(key, "999999", 10**12)
    services.exam_board_rebuild(exam_id=exam.pk)
    assert get_store().scores(key) == rebuilt


@pytest.mark.django_db
def test_submit_signal_feeds_the_ranking(store):
    exam = make_exam()
    user = UserFactory()
    attempt = submit(exam, user, score=88)
    attempt_submitted.send(sender=type(attempt), attempt=attempt)
    assert selectors.exam_my_rank(exam.pk, user.pk)["score"] == 88.0


@pytest.mark.django_db
def test_exam_institution_ranking_participation_and_average(store):
    big = InstitutionFactory(name="大医院", short_name="大院", headcount=10)
    small = InstitutionFactory(name="小卫生院", short_name="小院", headcount=2)
    idle = InstitutionFactory(name="无人参考", short_name="无院", headcount=5)
    exam = make_exam(institutions=[big, small, idle])
    b1, b2, b3 = (UserFactory(institution=big) for _ in range(3))
    s1 = UserFactory(institution=small)
    submit(exam, b1, score=90)
    submit(exam, b1, score=60)  # best of b1 is 90
    submit(exam, b2, score=70)
    submit(exam, b3, score=100, mock=True)  # mock: not a participant
    submit(exam, s1, score=50)
    rows = {r["name"]: r for r in selectors.exam_institution_ranking(exam)}
    assert rows["大院"] == {
        "id": big.pk, "name": "大院", "headcount": 10, "participants": 2, "rate": 20.0, "average": 80.0, "rank": 2
    }  # fmt: skip
    assert rows["小院"]["rate"] == 50.0 and rows["小院"]["average"] == 50.0 and rows["小院"]["rank"] == 1
    # Nobody from 无院 sat the exam: listed last, without a rank (no medal, no tie with others for taking no part).
    assert rows["无院"]["participants"] == 0 and rows["无院"]["average"] is None and rows["无院"]["rank"] is None
    assert [r["name"] for r in selectors.exam_institution_ranking(exam)] == ["小院", "大院", "无院"]


def test_institution_means_rank_only_above_min_players():
    scores = {"p1": 100, "p2": 50, "p3": 900, "p4": 300, "p5": 300, "p6": 10}
    inst = {"p1": 1, "p2": 1, "p3": 2, "p4": 3, "p5": 3, "p6": 0}
    result = selectors.institution_means(scores, inst, min_players=2)
    assert [(i["id"], i["mean"], i["players"], i["rank"]) for i in result["ranked"]] == [
        (3, 300.0, 2, 1),
        (1, 75.0, 2, 2),
    ]
    assert [i["id"] for i in result["unranked"]] == [2]  # one player only: shown, not ranked
    tie = selectors.institution_means({"a": 10, "b": 10, "c": 10, "d": 10}, {"a": 5, "b": 5, "c": 6, "d": 6}, 2)
    assert [i["rank"] for i in tie["ranked"]] == [1, 1]


@pytest.mark.django_db
def test_competition_boards_from_records(store):
    a, b = InstitutionFactory(short_name="甲"), InstitutionFactory(short_name="乙")
    game_id = 424242
    # The engine writes a game's boards whole (replace, which marks them built); then increments follow.
    get_store().replace(boards.game_players_board(game_id), {})
    get_store().replace(boards.game_institutions_board(game_id), {})
    rows = [(1, 900, a.pk), (2, 700, a.pk), (3, 1000, b.pk), (4, 0, None)]
    for player_id, score, inst in rows:
        services.competition_player_record(
            game_id=game_id, player_id=player_id, score=score, institution_id=inst, by_time=False
        )
    result = selectors.competition_institutions(game_id, min_players=2)
    assert [(i["name"], i["mean"], i["rank"]) for i in result["ranked"]] == [("甲", 800.0, 1)]
    assert [(i["name"], i["players"]) for i in result["unranked"]] == [("乙", 1)]
    assert selectors.competition_player_rank(game_id, 3) == {"rank": 1, "of": 4}
    services.competition_player_record(game_id=game_id, player_id=4, score=1500, institution_id=None, by_time=False)
    assert selectors.competition_player_rank(game_id, 4)["rank"] == 1
    top = selectors.competition_people(game_id, 2)
    assert [(p["id"], p["score"], p["rank"]) for p in top] == [(4, 1500, 1), (3, 1000, 2)]


@pytest.mark.django_db
def test_empty_store_is_rebuilt_from_the_database_before_reading(store):
    """A fresh server process (or a flushed Redis) starts with an empty store: readers rebuild the board first."""
    exam = make_exam()
    a, b = UserFactory(), UserFactory()
    submit(exam, a, score=61)
    submit(exam, b, score=77)
    key = boards.exam_board(exam.pk)
    assert not get_store().is_built(key)
    assert [r["user"] for r in selectors.exam_ranking(exam.pk)] == [b.pk, a.pk]
    assert get_store().is_built(key)
    store.clear(key)  # e.g. Redis lost it
    assert selectors.exam_my_rank(exam.pk, a.pk)["rank"] == 2
    # An increment recorded into an unbuilt board does not hide the others: the next read rebuilds.
    store.clear(key)
    c = UserFactory()
    services.exam_attempt_record(attempt=submit(exam, c, score=99))
    assert [r["user"] for r in selectors.exam_ranking(exam.pk)] == [c.pk, b.pk, a.pk]
