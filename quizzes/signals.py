"""Signals other quiz areas listen to (wrong-answer book, certificates, reports).

`attempt_submitted(sender=Attempt, attempt=...)` is sent once per attempt, after the submission is committed.
"""

from django.dispatch import Signal

attempt_submitted = Signal()
