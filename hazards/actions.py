"""The handling actions, by name: one table for the admin pages and the API (each calls one service)."""

from hazards import services

ACTIONS = {
    "accept": lambda u, pk, d, f: services.report_accept(
        actor=u, report_id=pk, deadline=d["deadline"], severity=d["severity"] or "general", note=d["note"]
    ),
    "start": lambda u, pk, d, f: services.report_start_rectification(actor=u, report_id=pk, note=d["note"]),
    "rectified": lambda u, pk, d, f: services.report_rectified(
        actor=u, report_id=pk, note=d["note"], photos=f.getlist("photos")
    ),
    "verify": lambda u, pk, d, f: services.report_verify(actor=u, report_id=pk, note=d["note"], on_board=d["on_board"]),
    "reject": lambda u, pk, d, f: services.report_reject(actor=u, report_id=pk, reason=d["note"]),
    "duplicate": lambda u, pk, d, f: services.report_mark_duplicate(
        actor=u, report_id=pk, original_id=d["original"], note=d["note"]
    ),
    "ask": lambda u, pk, d, f: services.message_ask(actor=u, report_id=pk, text=d["note"]),
    "reward": lambda u, pk, d, f: services.reward_grant(
        actor=u, report_id=pk, amount=d["amount"], kind=d["kind"], note=d["note"]
    ),
}
