"""Tests of the content kernel."""
