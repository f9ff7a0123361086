"""Tests of the study modules."""
