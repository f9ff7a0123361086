#!/usr/bin/env bash
# Dependency audit: the packages requirements.txt and requirements-dev.txt pull in, at the versions installed in the
# venv, checked with pip-audit against a vulnerability service (PyPI's by default; AUDIT_SERVICE=osv for OSV).
#
# Exit 1: a known vulnerability in an installed dependency (or the venv does not satisfy the requirement files).
# Exit 0: none found, or the service could not be asked (a warning says so: "not audited" is not "no vulnerability").
#
# Usage: scripts/audit-deps.sh [requirements file ...]   (default: requirements.txt requirements-dev.txt)
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SERVICE=${AUDIT_SERVICE:-pypi}
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(requirements.txt requirements-dev.txt)

if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
  echo "audit-deps: pip-audit is not installed in $VENV (make install-dev)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The installed dependency tree of the requirement files, pinned (name==version), runtime ones marked.
"$PY" - "$work" "${FILES[@]}" <<'PY'
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

out, files = Path(sys.argv[1]), sys.argv[2:]


def read(path: Path, seen: set) -> list[Requirement]:
    if path in seen:
        return []
    seen.add(path)
    found = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            found += read(path.parent / line.split(None, 1)[1], seen)
        elif not line.startswith("-"):
            found.append(Requirement(line))
    return found


def closure(requirements: list[Requirement]) -> dict[str, str]:
    pins, missing, todo = {}, [], [(r, frozenset()) for r in requirements]
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
            continue
        name = canonicalize_name(req.name)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        if not req.specifier.contains(dist.version, prereleases=True):
            missing.append(f"{req} (installed {dist.version})")
        wanted = frozenset(req.extras)
        if name in pins and wanted <= pins[name][1]:
            continue
        pins[name] = (dist.version, wanted | pins.get(name, ("", frozenset()))[1])
        todo += [(Requirement(r), wanted) for r in dist.requires or []]
    if missing:
        sys.exit("audit-deps: the venv does not satisfy the requirement files: " + "; ".join(sorted(set(missing))))
    return {name: version for name, (version, _) in pins.items()}


every = closure([r for f in files for r in read(Path(f), set())])
runtime = closure(read(Path("requirements.txt"), set())) if Path("requirements.txt").exists() else {}
(out / "pins.txt").write_text("".join(f"{n}=={v}\n" for n, v in sorted(every.items())))
(out / "runtime.txt").write_text("".join(f"{n}\n" for n in sorted(runtime)))
print(f"audit-deps: {len(every)} installed packages from {', '.join(files)} ({len(runtime)} of them at runtime)")
PY

# 2. Ask the service. pip-audit exits 1 when it finds something; anything else non-zero is its own failure.
set +e
"$PY" -m pip_audit -r "$work/pins.txt" --no-deps --disable-pip -s "$SERVICE" -f json --progress-spinner off \
  -o "$work/audit.json" 2>"$work/stderr"
status=$?
set -e
if [ ! -s "$work/audit.json" ]; then
  echo "audit-deps: WARNING: the vulnerability service ($SERVICE) could not be asked; dependencies NOT audited:" >&2
  tail -n 5 "$work/stderr" >&2
  exit 0
fi

# 3. Report.
"$PY" - "$work" "$SERVICE" "$status" <<'PY'
import json
import sys
from pathlib import Path

work, service, status = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
report = json.loads((work / "audit.json").read_text())
runtime = set((work / "runtime.txt").read_text().split())
deps = report.get("dependencies", [])
skipped = [d for d in deps if d.get("skip_reason")]
audited = [d for d in deps if not d.get("skip_reason")]
vulnerable = [d for d in audited if d.get("vulns")]

for dep in vulnerable:
    where = "runtime" if dep["name"] in runtime else "dev"
    for vuln in dep["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"VULNERABLE {dep['name']} {dep['version']} ({where}): {vuln['id']} -> fixed in {fixed}")
if not audited:
    print(
        f"audit-deps: WARNING: {service} answered for none of {len(deps)} packages "
        f"(e.g. {skipped[0]['skip_reason'] if skipped else 'no answer'}); dependencies NOT audited.",
        file=sys.stderr,
    )
    sys.exit(0)
if skipped:
    names = ", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in skipped)
    print(f"audit-deps: WARNING: {len(skipped)} packages could not be audited: {names}", file=sys.stderr)
if vulnerable:
    count = sum(len(d["vulns"]) for d in vulnerable)
    print(f"audit-deps: {count} known vulnerabilities in {len(vulnerable)} of {len(audited)} audited packages")
    sys.exit(1)
if status not in (0, 1):
    sys.exit(f"audit-deps: pip-audit failed ({status})")
print(f"audit-deps: no known vulnerabilities in {len(audited)} audited packages ({service})")
PY
