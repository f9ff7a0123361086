"""`make reliability`'s table: figures recorded with record_property are summed per module, and any loss fails."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "reliability_report.py"
spec = importlib.util.spec_from_file_location("reliability_report", SCRIPT)
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

XML = """<?xml version="1.0"?><testsuites><testsuite name="pytest">
<testcase classname="tests.reliability.test_exam_faults" name="test_kill">
  <properties><property name="acknowledged_answers" value="120"/><property name="lost_answers" value="{lost}"/>
  <property name="server_errors" value="0"/></properties></testcase>
<testcase classname="tests.reliability.test_exam_faults" name="test_restart">
  <properties><property name="acknowledged_answers" value="30"/><property name="outage_503s" value="7"/></properties>
  </testcase>
<testcase classname="tests.reliability.test_access_matrix" name="test_http">
  <properties><property name="violations" value="0"/></properties><skipped message="x"/></testcase>
<testcase classname="tests.org.test_access" name="test_scoped"><failure message="boom"/></testcase>
</testsuite></testsuites>"""


@pytest.fixture
def junit(tmp_path):
    def write(lost=0, failed=True):
        text = XML.format(lost=lost)
        if not failed:
            text = text.replace('<failure message="boom"/>', "")
        path = tmp_path / "r.xml"
        path.write_text(text)
        return str(path)

    return write


def test_figures_are_summed_per_module(junit):
    rows = report.read(junit(lost=2))
    assert rows["reliability.test_exam_faults"]["cases"] == 2
    assert rows["reliability.test_exam_faults"]["acknowledged_answers"] == 150
    assert rows["reliability.test_exam_faults"]["lost_answers"] == 2
    assert rows["reliability.test_exam_faults"]["outage_503s"] == 7
    assert rows["reliability.test_access_matrix"]["skipped"] == 1
    assert rows["org.test_access"]["failed"] == 1
    assert "total" in report.table(rows)


def test_exit_status(junit, capsys):
    assert report.main(junit(lost=0, failed=False)) == 0
    assert report.main(junit(lost=1, failed=False)) == 1
    assert "lost_answers 1" in capsys.readouterr().out
    assert report.main(junit(lost=0, failed=True)) == 1
