"""The password hasher of imported initial passwords: cheap to write, as costly as the default hasher to check."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """For generated one-time passwords of imported accounts.

    Writing one is light (20,000 iterations), so a roster of thousands imports in seconds instead of minutes; the
    passwords are random (10 characters of 55, about 57 bits), so the light hash is no shortcut for a stolen
    database. Those accounts must change their password at first login, and Django re-hashes with the default hasher
    on their first successful login anyway.

    Checking one costs what a check against the default hasher costs: the iterations the default hasher would run
    are made up after the real check, matched or not. Otherwise a login answer in 20 ms instead of 350 ms would tell
    anyone which employee numbers are still on their imported password (and have never logged in).
    """

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000

    def verify(self, password, encoded):
        matches = super().verify(password, encoded)
        self.harden_runtime(password, encoded)
        return matches

    def harden_runtime(self, password, encoded):
        """Run the rest of the default hasher's work factor (Django's own remedy for an older work factor)."""
        default = get_hasher("default")
        decoded = self.decode(encoded)
        if isinstance(default, PBKDF2PasswordHasher):
            extra = default.iterations - decoded["iterations"]
            if extra > 0:
                default.encode(password, decoded["salt"], extra)
        else:  # another kind of default hasher: its whole work on top (a little more than a check, never less)
            default.encode(password, default.salt())
