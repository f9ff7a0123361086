"""Initial passwords for imported accounts: generated, and hashed so that a first login must change them."""

import secrets

from django.contrib.auth.hashers import make_password

# No 0/O, 1/l/I: read aloud over the phone or copied from a printed sheet.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 10) -> str:
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def initial_password_hash(password: str) -> str:
    return make_password(password, hasher="pbkdf2_sha256_initial")
