#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests, CJK fonts so Chinese renders in screenshots,
# poppler-utils to look at PDFs (certificates) as images, gettext for message catalogues.
set -eu
PKGS="chromium fonts-noto-cjk poppler-utils gettext"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then echo "Need root to apt-get install:$missing"; exit 1; fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi
