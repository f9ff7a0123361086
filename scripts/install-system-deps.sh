#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests, CJK and emoji fonts so Chinese (and 🏅) render in screenshots,
# poppler-utils to look at PDFs (certificates) as images, gettext for message catalogues, npm for axe-core.
set -eu
PKGS="chromium fonts-noto-cjk fonts-noto-color-emoji poppler-utils gettext"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
# npm installs axe-core (tools/axe) for the screen checks; any Node.js will do, Debian's if there is none.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then echo "Need root to apt-get install:$missing"; exit 1; fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi
