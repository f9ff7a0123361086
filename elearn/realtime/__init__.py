"""Delivery of live frames that several apps use: group names (groups), sending to a group from sync or async code
(broadcast), each process's own fan-out to its connected consumers (fanout) and the daphne fast path that writes one
prepared WebSocket frame straight to every connection (direct_frames)."""
