"""LeaderboardConsumer: streams one board's coalesced ranking updates to a projector page or the 排行 tab.

Thin: permission and state come from leaderboard.rankings.selectors; updates arrive through the per-process fan-out
(elearn.realtime.fanout), one layer message per process, encoded to JSON once per process; under daphne an update is
also framed once per process and written straight to each viewer's connection (elearn.realtime.direct_frames), since the
排行 tab may be open on many phones. On every (re)connect the client gets the full current state
("leaderboard.state"), so a missed update never matters.

Client -> server frames: {"type": "ping", "t": <number>} -> {"type": "pong", "t": <the number, or null>}. Anything else gets {"error": code}.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from elearn.realtime import direct_frames, fanout
from elearn.realtime.groups import board_group
from leaderboard.rankings import selectors

MAX_FRAME = 1024


class LeaderboardConsumer(fanout.FanoutMixin, AsyncWebsocketConsumer):
    writer: direct_frames.FrameWriter | None = None

    async def connect(self):
        self.board = self.scope["url_route"]["kwargs"]["board"]
        user = self.scope.get("user")
        allowed = await database_sync_to_async(selectors.can_view_board)(user, self.board)
        if not allowed:
            await self.close(code=4403)
            return
        self.writer = direct_frames.frame_writer(self.scope)
        await self.accept()
        # Join first, then send the state: an update racing the connect is then never lost, at worst seen twice.
        await fanout.join(board_group(self.board), self)
        state = await database_sync_to_async(selectors.board_state)(self.board)
        await self.send(text_data=json.dumps({"type": "leaderboard.state", "state": state}, ensure_ascii=False))

    async def disconnect(self, code):
        await fanout.leave_all(self)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send(text_data=json.dumps({"error": "frame_too_large" if text_data else "text_only"}))
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # deep nesting ("[[[[...") exhausts the decoder's recursion limit
            await self.send(text_data='{"error":"malformed"}')
            return
        if not isinstance(frame, dict) or frame.get("type") != "ping":
            await self.send(text_data='{"error":"unknown_type"}')
            return
        await self.send(text_data=json.dumps({"type": "pong", "t": fanout.client_number(frame.get("t"))}))

    def fanout_direct(self, message: dict) -> bool:
        if self.writer is None or message["type"] != "leaderboard.update":
            return False
        return self.writer.write(direct_frames.shared_frame(message, lambda: fanout.json_text(message)))

    async def leaderboard_update(self, message):
        await self.send(text_data=fanout.json_text(message))
