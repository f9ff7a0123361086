"""Settings of bench/bench_evidence.py: the development settings plus the benchmark's own URL module, which adds the
baseline upload view (never mounted by the project's own URLs)."""

from elearn.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.evidence_urls"
