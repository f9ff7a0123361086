"""The table `make reliability` prints: per test module, cases run, failures, acknowledged answers lost, server errors
and access violations, read from pytest's JUnit XML (`-o junit_family=xunit1`, so record_property lands there).

Tests record their figures with pytest's `record_property`: acknowledged_answers, lost_answers, server_errors,
violations, outage_503s (the clear "try again" answers counted while PostgreSQL restarts) and cases (shown as cells:
what one test checked, e.g. the access matrix's role x endpoint cells).
Exit status: non-zero when a case failed or any lost answer, server error or violation was recorded.

    python scripts/reliability_report.py test-artifacts/reliability.xml
"""

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

FIGURES = ("cells", "acknowledged_answers", "lost_answers", "server_errors", "violations", "outage_503s")
HEADINGS = ("cases", "failed", "skipped", "cells", "acked", "lost", "5xx", "violations", "503s")
RENAMED = {"cases": "cells"}  # a test's own count of what it checked (the access matrix's role x endpoint cells)
MUST_BE_ZERO = ("failed", "lost_answers", "server_errors", "violations")


def read(path: str) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in ET.parse(path).getroot().iter("testcase"):
        parts = case.get("classname", "?").split(".")  # module path, then the class for tests in a class
        module = ".".join(p for p in parts if not p.startswith("Test")).removeprefix("tests.")
        row = rows[module]
        row["cases"] += 1
        if case.find("failure") is not None or case.find("error") is not None:
            row["failed"] += 1
        elif case.find("skipped") is not None:
            row["skipped"] += 1
        for prop in case.iter("property"):
            name = RENAMED.get(prop.get("name"), prop.get("name"))
            if name in FIGURES:
                row[name] += int(float(prop.get("value") or 0))
    return rows


def table(rows: dict[str, dict[str, int]]) -> str:
    keys = ("cases", "failed", "skipped", *FIGURES)
    total = {k: sum(r[k] for r in rows.values()) for k in keys}
    width = max([len(m) for m in rows] + [5])
    lines = [f"{'module':<{width}}  " + "  ".join(f"{h:>10}" for h in HEADINGS)]
    lines.append("-" * len(lines[0]))
    for module in sorted(rows):
        lines.append(f"{module:<{width}}  " + "  ".join(f"{rows[module][k]:>10,}" for k in keys))
    lines.append("-" * len(lines[0]))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[k]:>10,}" for k in keys))
    return "\n".join(lines)


def main(path: str) -> int:
    rows = read(path)
    print(table(rows))
    bad = {k: sum(r[k] for r in rows.values()) for k in MUST_BE_ZERO}
    if any(bad.values()):
        print("NOT MET: " + ", ".join(f"{k} {v}" for k, v in bad.items() if v))
        return 1
    print("met: 0 failed cases, 0 acknowledged answers lost, 0 server errors, 0 access violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "test-artifacts/reliability.xml"))
