"""Errors the question-bank services raise; callers turn them into messages or HTTP responses."""


class BankError(Exception):
    """A bank change was refused; str(error) is for the user."""


class ImportRejected(BankError):
    """The file has rejected rows and the caller did not ask to skip them: nothing was written."""

    def __init__(self, plan):
        super().__init__(f"{plan.counts()['rejected']} rejected rows in {plan.filename}")
        self.plan = plan
