"""End-to-end tests: a real daphne process and Debian's Chromium driven by Playwright."""
