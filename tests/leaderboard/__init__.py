"""Tests of rankings, real-time delivery and reports."""
