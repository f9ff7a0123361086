"""The password hasher of imported initial passwords: marks an account that must set its own password."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """For generated one-time passwords of imported accounts.

    Those accounts must change their password at first login, and Django re-hashes with the default hasher then,
    so a lighter iteration count lets a roster of thousands be imported in seconds instead of minutes.
    """

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000
