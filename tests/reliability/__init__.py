"""Reliability and security: fault injection, fuzzing, the access matrix, hostile input (`make reliability`)."""
