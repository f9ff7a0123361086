"""Live competitions (知识竞赛): a host on a projector, players on phones over WebSockets, server-owned question
timers, scoring with speed and streak bonuses."""
