"""Errors raised by the org services; views and API views translate them."""


class OrgError(Exception):
    """Base for refusals in the organisation app; the message is shown to the user."""


class RosterRejected(OrgError):
    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.rejected)} problem(s) in the roster; nothing was written.")
