"""Institutions, accounts and roles: who people are, which institution they belong to, and the one rule for who may
see or manage whose data (permissions); roster import, login and passwords."""
