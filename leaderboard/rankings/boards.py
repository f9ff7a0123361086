"""Board keys: the names of leaderboards in the ranking store. Built here and parsed here, nowhere else.

    exam.<exam_id>               best attempt of each candidate (member = user id), composite exam key
    game.<game_id>.players       a live competition's players (member = player id), composite competition key
    game.<game_id>.inst          the same players' institution id (member = player id, score = institution id)

After writing a game's boards, call leaderboard.rankings.coalesce.mark_dirty(game_players_board(game_id)) so that projector
viewers (LeaderboardConsumer) get the change, coalesced; leaderboard.rankings.services.competition_player_record and
competition_board_rebuild do both.

Keys use only characters allowed in Channels group names, so elearn.realtime.groups.board_group(key) can embed them.
"""

import re

_EXAM = re.compile(r"^exam\.(\d+)$")
_GAME = re.compile(r"^game\.(\d+)\.players$")


def exam_board(exam_id: int) -> str:
    return f"exam.{int(exam_id)}"


def game_players_board(game_id: int) -> str:
    return f"game.{int(game_id)}.players"


def game_institutions_board(game_id: int) -> str:
    return f"game.{int(game_id)}.inst"


def parse(key: str) -> tuple[str, int]:
    """("exam", id) or ("game", id) for a viewable board key; ValueError otherwise."""
    if m := _EXAM.match(key):
        return "exam", int(m.group(1))
    if m := _GAME.match(key):
        return "game", int(m.group(1))
    raise ValueError(f"unknown board {key!r}")
