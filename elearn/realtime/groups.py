"""Every Channels group name in elearn is built here, nowhere else.

Names are what the channel layer accepts: ASCII letters, digits, "-", "_", "." and fewer than 100 characters.
Each group is a *fan-out* group (see elearn.realtime.fanout): the layer holds one channel per server process, and
the process delivers each message to its own local consumers. Use `elearn.realtime.broadcast.broadcast(group, message)`
to send and `elearn.realtime.fanout.join/leave` to receive; never call the channel layer's group methods directly.
"""

import re

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _part(value) -> str:
    text = _SAFE.sub("-", str(value))
    if not text:
        raise ValueError("empty group name part")
    return text


def _check(name: str) -> str:
    if len(name) >= 100:
        raise ValueError(f"group name too long: {name!r}")
    return name


def competition_group(competition_id) -> str:
    """Everyone in one live competition (players and host): question opened/closed, reveal, podium."""
    return _check(f"competition.{_part(competition_id)}")


def competition_host_group(competition_id) -> str:
    """Only the host console(s) of one competition: live answer counts, players joining/leaving."""
    return _check(f"competition.{_part(competition_id)}.host")


def account_group(user_id) -> str:
    """Every live connection of one account (a player's phone, a host console): notices about the account itself,
    such as "a counting exam attempt started" (the live game must stop showing that person answers)."""
    return _check(f"account.{_part(user_id)}")


def board_group(key: str) -> str:
    """Viewers of one leaderboard (projector page, 排行 tab): coalesced "leaderboard.update" messages.

    `key` is a board key from leaderboard.rankings.boards (e.g. "exam.3", "competition.12.players").
    """
    return _check(f"board.{_part(key)}")
