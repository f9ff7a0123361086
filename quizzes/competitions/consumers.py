"""WebSocket consumers of a live competition. Thin: parse a frame, check permission, call a service through
database_sync_to_async, send the result. Every rule lives in quizzes.competitions.services.

Protocol (JSON text frames; see the README section "Live competitions"):
  client -> server  {"action": "answer", "index": 0, "choice": [1]} | {"action": "sync"} | {"action": "ping", "t": ..}
                    host only: {"action": start|next|skip|pause|resume|end, "version": v} | {"action": "remove",
                    "player": id}; "version" is the state version the console shows: once the game has moved past
                    it the action is refused with {"type": "error", "error": "stale_action", "version": current}
                    (and the current state follows); without "version" it applies to the current state
  server -> client  {"type": "state", ...game_state..., "remaining": s, "server_time": t, "me": {...}}
                    {"type": "ack", "index": i, "status": "accepted"|"duplicate"}   (after the answer is stored)
                    {"type": "error", "error": code, "message": text}                (never a crash)
                    {"type": "pong", "t": .., "server_time": t}
                    host only: {"type": "progress", "answered": n, "players": m} and {"type": "lobby", "players": [...]}
                    player only: {"type": "removed"} (then the socket closes with 4403)
  a player or (non bank manager) host sitting a counting exam attempt: {"type": "error", "error": "exam_in_progress"}
  and the socket closes with 4403 (on connect, on an answer, on a host action)

Broadcasts arrive through the per-process fan-out (elearn.realtime.fanout): one channel-layer message per process,
delivered here as `fanout_deliver(message)`. A state is JSON-encoded once per process; each consumer adds only its
own fields ("remaining", "server_time", "me"). Personal results after a question closes come from one database
read per process (results_for), not one per player.

A question going out is the same for every player, so under daphne it takes the fast path (fanout_direct): one
frame per process, with "server_time" and "remaining" of the moment it is built and no "me" (the phone keeps its own
and starts the new question unanswered), written straight to each connection (elearn.realtime.direct_frames).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from elearn.org.bank_permissions import can_manage_bank
from elearn.realtime import direct_frames, fanout, group_commit
from elearn.realtime.groups import account_group, competition_group, competition_host_group
from quizzes.competitions import selectors, services
from quizzes.competitions.exceptions import CompetitionError, ExamInProgress, GameNotFound, NotAllowed, StaleAction
from quizzes.competitions.models import ANSWER_GRACE_SECONDS, Game

logger = logging.getLogger(__name__)

PLAYER_MAX_FRAME = 1024  # bytes; an answer is ~50
HOST_MAX_FRAME = 2048
HOST_POLL_SECONDS = 0.5  # live answer count on the projector
LOBBY_REFRESH_SECONDS = 0.5  # at most two lobby refreshes a second, however fast players join
CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_NOT_JOINED, CLOSE_ABUSE = 4403, 4404, 4401, 4408


class TokenBucket:
    """Per-connection rate limit: `rate` actions a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# --- per-process helpers: one database read / one timer per process, shared by its consumers --------------------

_results: OrderedDict = OrderedDict()
_timers: dict = {}


async def results_for(game_id: int, version: int) -> dict:
    """Every player's own results for one state version: computed once per process, then shared."""
    loop = asyncio.get_running_loop()
    key = (id(loop), game_id, version)
    task = _results.get(key)
    if task is None:
        task = loop.create_task(database_sync_to_async(selectors.results_table)(game_id))
        _results[key] = task
        while len(_results) > 32:
            _results.popitem(last=False)
    return await asyncio.shield(task)


PERSONAL_PHASES = ("reveal", "leaderboard", "finished")  # each player's frame carries their own result and rank


async def _prepare_state(message: dict) -> None:
    """Run by the fan-out before a state reaches this process's phones: the players' results of a personal phase,
    read once, so that every phone's frame is written in the dispatch loop (PlayerConsumer.fanout_direct)."""
    state = message.get("state") or {}
    if state.get("phase") in PERSONAL_PHASES:
        message["__results__"] = await results_for(state["game"], state["version"])


fanout.prepare_with("game.state", _prepare_state)


def schedule_close(state: dict) -> None:
    """When a question is open, close it on time even if nobody sends anything (one timer per process and question).

    Losing this timer (a restart) stalls nothing: the next request after the deadline closes the question."""
    if state.get("phase") != "question" or state.get("paused") or not state.get("closes_at"):
        return
    loop = asyncio.get_running_loop()
    key = (id(loop), state["game"], state["index"], state["closes_at"])
    if key in _timers:
        return
    for old in [k for k in _timers if k[1] == state["game"]]:
        _timers.pop(old).cancel()
    delay = max(0.0, state["closes_at"] + ANSWER_GRACE_SECONDS + 0.05 - time.time())
    _timers[key] = loop.call_later(delay, lambda: loop.create_task(_timer_tick(key)))


async def _timer_tick(key) -> None:
    _timers.pop(key, None)
    try:
        await database_sync_to_async(services.competition_tick)(game_id=key[1])
    except Exception:
        logger.exception("competition timer for game %s failed", key[1])


def _record_answers(game_id: int, answers: list) -> list:
    """Group commit of answers (elearn.realtime.group_commit): answers that arrive while a batch is being written go
    into the next one, written in ONE transaction (competition_answers_record); each is acknowledged only after its
    batch has committed."""
    return services.competition_answers_record(game_id=game_id, answers=answers)


def _encoded(message: dict) -> str:
    """The shared state of a broadcast as JSON without its closing brace, encoded once per process."""
    text = message.get("__frame__")
    if text is None:
        state = {k: v for k, v in message["state"].items() if k not in ("remaining", "server_time")}
        text = json.dumps({"type": "state", **state}, ensure_ascii=False, separators=(",", ":"))[:-1]
        message["__frame__"] = text
    return text


def _clock_fields(state: dict) -> str:
    remaining = _remaining(state)
    return f',"server_time":{time.time():.3f},"remaining":{"null" if remaining is None else remaining}'


def _remaining(state: dict) -> float | None:
    if state.get("phase") != "question":
        return None
    if state.get("paused"):
        return state.get("remaining")
    if not state.get("closes_at"):
        return None
    return max(0.0, round(state["closes_at"] - time.time(), 2))


class CompetitionConsumer(fanout.FanoutMixin, AsyncWebsocketConsumer):
    """What the player and host consumers share: frame parsing, size cap, rate limit, errors, ping, state frames."""

    max_frame = PLAYER_MAX_FRAME
    actions: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.game_id: int | None = None
        self.bucket = TokenBucket(rate=10, burst=20)
        self.violations = 0
        self.joined = False
        self._me_source, self._me_json = None, "{}"
        self.writer: direct_frames.FrameWriter | None = None

    # frames --------------------------------------------------------------------------------------------------
    async def send_json(self, content: dict) -> None:
        await self.send_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")))

    async def send_text(self, text: str) -> None:
        """One text frame: written straight to the connection under daphne (elearn.realtime.direct_frames), else sent
        through ASGI. Both reach the same transport in call order."""
        if self.writer is None or not self.writer.write(direct_frames.text_frame(text)):
            await self.send(text_data=text)

    async def send_error(self, code: str, message: str = "", **extra) -> None:
        await self.send_json({"type": "error", "error": code, "message": str(message), **extra})

    async def refuse(self, code: str, message, close_code: int) -> None:
        await self.accept()
        await self.send_error(code, message)
        await self.close(code=close_code)

    async def receive(self, text_data=None, bytes_data=None):
        if bytes_data is not None or text_data is None:
            return await self.send_error("malformed", "text frames only")
        if len(text_data.encode()) > self.max_frame:
            return await self.complain("too_large")
        if not self.bucket.take():
            return await self.complain("rate_limited")
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # deep nesting ("[[[[...") exhausts the decoder's recursion limit
            return await self.complain("malformed")
        if not isinstance(frame, dict) or not isinstance(frame.get("action"), str):
            return await self.complain("malformed")
        handler = self.actions.get(frame["action"])
        if handler is None:
            return await self.complain("unknown_action")
        try:
            await getattr(self, handler)(frame)
        except CompetitionError as error:
            index = fanout.client_number(frame.get("index"))
            await self.send_error(error.code, error.message, **({"index": index} if index is not None else {}))
        except Exception:
            logger.exception("competition consumer action %s failed", frame.get("action"))
            await self.send_error("server_error")

    async def complain(self, code: str) -> None:
        """A bad frame gets an error; a connection that keeps sending them is closed."""
        self.violations += 1
        await self.send_error(code)
        if self.violations > 50:
            await self.close(code=CLOSE_ABUSE)

    async def do_ping(self, frame):
        t = fanout.client_number(frame.get("t"))
        await self.send_json({"type": "pong", "t": t, "server_time": round(time.time(), 3)})

    # state ---------------------------------------------------------------------------------------------------
    def personal(self, state: dict) -> dict:
        return {}

    async def send_state_frame(self, message: dict, me: dict | None = None) -> None:
        """The shared state (encoded once per process) plus this connection's own fields, as one frame."""
        tail = _clock_fields(message["state"])
        if me is not None:
            tail += ',"me":' + self.me_text(me)
        await self.send_text(_encoded(message) + tail + "}")

    def me_text(self, me: dict) -> str:
        """`me` as JSON, re-encoded only when it changed (it is replaced, never mutated)."""
        if self._me_source is not me:
            self._me_source, self._me_json = me, json.dumps(me, ensure_ascii=False, separators=(",", ":"))
        return self._me_json

    async def fresh_state(self) -> dict:
        return await database_sync_to_async(services.competition_state)(game_id=self.game_id)

    async def game_state(self, message: dict) -> None:
        """Fan-out handler for "game.state" broadcasts."""
        schedule_close(message["state"])
        await self.deliver_state(message)

    async def deliver_state(self, message: dict) -> None:
        await self.send_state_frame(message)

    async def watch_account(self, user) -> None:
        """Join the account's own group: a counting exam attempt it starts (account_exam_started; not for bank
        managers, who may see answers anyway) or its account being disabled (account_disabled) closes this
        connection. Guests without an account cannot be told apart."""
        if getattr(user, "is_authenticated", False):
            self.closes_on_exam = not can_manage_bank(user)
            await fanout.join(account_group(user.pk), self)

    async def account_disabled(self, message: dict) -> None:
        """The account was disabled (离职, or by an admin): its live connections end with its sessions."""
        await fanout.leave_all(self)
        self.joined = False
        await self.send_error("account_disabled", gettext("账号已停用。"))
        await self.close(code=CLOSE_FORBIDDEN)

    async def account_exam_started(self, message: dict) -> None:
        """The account started a counting exam attempt: nothing more about answers may reach this connection."""
        if not getattr(self, "closes_on_exam", True):
            return
        await fanout.leave_all(self)
        self.joined = False
        await self.send_error("exam_in_progress", str(ExamInProgress.default_message))
        await self.close(code=CLOSE_FORBIDDEN)

    async def fanout_deliver(self, message: dict) -> None:
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is not None:
            await handler(message)

    async def disconnect(self, code):
        if self.joined:
            await fanout.leave_all(self)


class PlayerConsumer(CompetitionConsumer):
    """A player's phone: ws/play/<pin>/. Identity is the player token cookie set when joining (plus, in staff
    games, the logged-in account)."""

    max_frame = PLAYER_MAX_FRAME
    actions = {"answer": "do_answer", "sync": "do_sync", "ping": "do_ping"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.player_id: int | None = None
        self.me: dict = {}
        self.answers = TokenBucket(rate=2, burst=4)

    async def connect(self):
        pin = self.scope["url_route"]["kwargs"]["pin"]
        visitor = services.Visitor(cookies=self.scope.get("cookies", {}), user=self.scope.get("user"))
        # A join storm is admitted in batches: one database trip for every phone connecting at the same moment.
        connected = await group_commit.for_loop(services.players_connect).submit(pin, visitor)
        if isinstance(connected, GameNotFound):
            return await self.refuse(connected.code, connected.message, CLOSE_NOT_FOUND)
        if isinstance(connected, ExamInProgress):
            return await self.refuse(connected.code, connected.message, CLOSE_FORBIDDEN)
        if isinstance(connected, Exception):  # shared by the batch: each consumer raises its own
            raise RuntimeError("admitting a batch of phones failed") from connected
        if connected.player is None:
            return await self.refuse("not_joined", "请先加入竞赛。", CLOSE_NOT_JOINED)
        state = connected.state
        self.game_id, self.player_id = connected.game.pk, connected.player.pk
        self.me = {**connected.me, "index": state["index"]}
        self.writer = direct_frames.frame_writer(self.scope)
        await self.accept()
        await fanout.join(competition_group(self.game_id), self)
        await self.watch_account(self.scope.get("user"))
        self.joined = True
        schedule_close(state)
        await self.send_state_frame({"state": state}, me=self.me)
        # The snapshot was read before this consumer joined its groups, so a change committed in between was broadcast
        # to the others only: the game moving on (a reconnecting player would stay on the old phase), the account
        # starting a counting exam or being disabled. Every later change reaches it now; an earlier one shows in what
        # is read again after joining (services.players_recheck, shared by the phones joining together).
        user = self.scope.get("user")
        account = user.pk if getattr(user, "is_authenticated", False) else None
        version, refusal = await group_commit.for_loop(services.players_recheck).submit(self.game_id, account)
        if refusal == "account_disabled":
            return await self.account_disabled({})
        if refusal == "exam_in_progress":
            await fanout.leave_all(self)
            self.joined = False
            await self.send_error(ExamInProgress.code, str(ExamInProgress.default_message))
            return await self.close(code=CLOSE_FORBIDDEN)
        if version != state["version"]:
            await self.do_sync({})

    async def do_sync(self, frame):
        state, me = await database_sync_to_async(services.player_snapshot)(
            game_id=self.game_id, player_id=self.player_id
        )
        if me.get("removed"):
            return await self.removed()
        self.me = {**me, "index": state["index"]}
        await self.send_state_frame({"state": state}, me=self.me)

    async def do_answer(self, frame):
        received_at = timezone.now()  # the server's receive time decides the window and the points
        if not self.answers.take():
            return await self.complain("rate_limited")
        item = services.AnswerIn(
            player_id=self.player_id, index=frame.get("index"), choice=frame.get("choice"), received_at=received_at
        )
        result = await group_commit.for_loop(_record_answers).submit(self.game_id, item)
        if isinstance(result, ExamInProgress):  # no further reveal may reach this phone
            await self.send_error(result.code, result.message, index=item.index)
            return await self.close(code=CLOSE_FORBIDDEN)
        if isinstance(result, CompetitionError):  # this answer's refusal (closed, invalid, ...)
            index = fanout.client_number(item.index)
            return await self.send_error(result.code, result.message, **({"index": index} if index is not None else {}))
        if isinstance(result, Exception):  # the batch's failure, shared by its answers: each consumer raises its own
            raise RuntimeError("storing a batch of answers failed") from result
        self.me = {**self.me, "answered": True}
        await self.send_json({"type": "ack", "index": result.index, "status": result.status})

    def fanout_direct(self, message: dict) -> bool:
        """Written by the fan-out itself, in its dispatch loop (see the module docstring): a question as one shared
        frame; a reveal, leaderboard or final state as this player's own frame, from the results the fan-out read
        once for the process (_prepare_state). Anything else, or no results: the ordinary path."""
        if self.writer is None or message["type"] != "game.state":
            return False
        state = message["state"]
        if state["phase"] == "question":
            schedule_close(state)
            if not self.writer.write(
                direct_frames.shared_frame(message, lambda: _encoded(message) + _clock_fields(state) + "}")
            ):
                return False
            self.on_question(state)
            return True
        table = message.get("__results__")
        if table is None or state["phase"] not in PERSONAL_PHASES:
            return False
        me = table.get(self.player_id) or self.me
        clock = message.get("__clock__")
        if clock is None:  # no countdown in these phases: one server_time for the whole dispatch loop
            clock = message["__clock__"] = _clock_fields(state)
        if not self.writer.write(
            direct_frames.text_frame(_encoded(message) + clock + ',"me":' + self.me_text(me) + "}")
        ):
            return False
        self.me = me
        return True

    def on_question(self, state: dict) -> None:
        if self.me.get("index") != state["index"]:
            self.me = {k: v for k, v in self.me.items() if k != "last"} | {"answered": False, "index": state["index"]}

    async def deliver_state(self, message: dict) -> None:
        state = message["state"]
        if state["phase"] in PERSONAL_PHASES:
            table = await results_for(state["game"], state["version"])
            self.me = table.get(self.player_id) or self.me
        elif state["phase"] == "question":
            self.on_question(state)
        await self.send_state_frame(message, me=self.me)

    async def player_removed(self, message: dict) -> None:
        if message.get("player") == self.player_id:
            await self.removed()

    async def removed(self):
        await self.send_json({"type": "removed"})
        await self.close(code=CLOSE_FORBIDDEN)


class HostConsumer(CompetitionConsumer):
    """The host console (projector): ws/host/<game_id>/. Permission (Competition.can_host, built on the org
    permission helper) is checked on connect and again, on a freshly loaded account, for every action."""

    max_frame = HOST_MAX_FRAME
    actions = {
        "start": "do_control",
        "next": "do_control",
        "skip": "do_control",
        "pause": "do_control",
        "resume": "do_control",
        "end": "do_control",
        "remove": "do_control",
        "sync": "do_sync",
        "ping": "do_ping",
    }
    services_for = {
        "start": services.competition_start,
        "next": services.competition_advance,
        "skip": services.competition_skip,
        "pause": services.competition_pause,
        "resume": services.competition_resume,
        "end": services.competition_end,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.poller: asyncio.Task | None = None
        self.lobby_pending = False
        self.phase = ""

    @database_sync_to_async
    def _allowed_user(self):
        """The account behind this connection, fresh from the database, if it may host this game."""
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            return None
        user = get_user_model().objects.filter(pk=user.pk).first()
        game = Game.objects.select_related("competition").filter(pk=self.game_id).first()
        if game is None:
            raise GameNotFound
        if user is None or not game.competition.can_host(user):
            return None
        services.host_admit(actor=user)
        return user

    async def connect(self):
        self.game_id = int(self.scope["url_route"]["kwargs"]["game_id"])
        try:
            user = await self._allowed_user()
        except GameNotFound as error:
            return await self.refuse(error.code, error.message, CLOSE_NOT_FOUND)
        except ExamInProgress as error:
            return await self.refuse(error.code, error.message, CLOSE_FORBIDDEN)
        if user is None:
            return await self.refuse("forbidden", "你没有权限主持这场竞赛。", CLOSE_FORBIDDEN)
        self.writer = direct_frames.frame_writer(self.scope)
        await self.accept()
        await fanout.join(competition_group(self.game_id), self)
        await fanout.join(competition_host_group(self.game_id), self)
        await self.watch_account(user)
        self.joined = True
        await self.do_sync({})
        self.poller = asyncio.get_running_loop().create_task(self.poll())

    async def disconnect(self, code):
        if self.poller is not None:
            self.poller.cancel()
        await super().disconnect(code)

    async def do_sync(self, frame):
        state = await self.fresh_state()
        self.phase = state["phase"]
        schedule_close(state)
        await self.send_state_frame({"state": state})
        await self.send_lobby()

    @database_sync_to_async
    def _control(self, action: str, player: int | None, version: int | None):
        """One trip to the database: reload the account (permission is checked by the service on it) and act."""
        user = self.scope.get("user")
        user = get_user_model().objects.filter(pk=getattr(user, "pk", None), is_active=True).first()
        if user is None:
            raise NotAllowed
        if action == "remove":  # names its player: a repeat finds them removed already (not_found)
            return services.competition_remove_player(game_id=self.game_id, player_id=player, actor=user)
        return self.services_for[action](game_id=self.game_id, actor=user, version=version)

    async def do_control(self, frame):
        action, player, version = frame["action"], frame.get("player"), frame.get("version")
        if action == "remove" and (isinstance(player, bool) or not isinstance(player, int)):
            return await self.complain("malformed")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            return await self.complain("malformed")
        try:
            await self._control(action, player, version)
        except (NotAllowed, ExamInProgress) as refusal:
            await self.send_error(refusal.code, refusal.message)
            return await self.close(code=CLOSE_FORBIDDEN)
        except StaleAction as refusal:
            # Nothing changed. The console may have missed the state that made it stale: send it the current one.
            await self.send_error(refusal.code, refusal.message, version=refusal.version, action=action)
            return await self.do_sync({})
        # The new state reaches this console through the broadcast, like every other screen.

    async def game_state(self, message: dict) -> None:
        self.phase = message["state"]["phase"]
        await super().game_state(message)

    async def lobby_changed(self, message: dict) -> None:
        """Coalesced: however many players join at once, the lobby list is re-read at most twice a second."""
        if self.lobby_pending:
            return
        self.lobby_pending = True
        asyncio.get_running_loop().call_later(LOBBY_REFRESH_SECONDS, self._lobby_now)

    def _lobby_now(self):
        self.lobby_pending = False
        asyncio.get_running_loop().create_task(self.send_lobby())

    async def send_lobby(self):
        try:
            await self.send_json(await database_sync_to_async(services.lobby_view)(game_id=self.game_id))
        except Exception:
            logger.exception("lobby refresh for game %s failed", self.game_id)

    async def poll(self):
        """While a question is open: live answer count, and close the question when its time is up."""
        last = None
        while True:
            await asyncio.sleep(HOST_POLL_SECONDS)
            if self.phase != "question":
                last = None
                continue
            try:
                progress = await database_sync_to_async(services.competition_tick)(game_id=self.game_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("host poll for game %s failed", self.game_id)
                continue
            current = (progress["answered"], progress["players"])
            if current != last:
                last = current
                await self.send_json(
                    {"type": "progress", "index": progress["index"], "answered": current[0], "players": current[1]}
                )
