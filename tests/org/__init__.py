"""Tests of institutions, accounts, roles and permissions."""
