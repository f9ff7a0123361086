"""Signals other quiz areas listen to (wrong-answer book, certificates, reports).

`attempt_submitted(sender=Attempt, attempt=...)` is sent once per attempt, after the submission is committed.
`game_players_changed(sender=Game, game_id=...)` is sent after a change to a live game's players or their scores
is committed (the leaderboard mirrors them into its ranking store).
"""

from django.dispatch import Signal

attempt_submitted = Signal()
game_players_changed = Signal()
