"""`onewindow services` as a citizen and another tool use it: the list, one service, JSON,
and an unknown id as one line with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys


def onewindow(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120)


def test_list_and_json_name_all_ten_services():
    listed = onewindow("services")
    assert listed.returncode == 0
    assert "survivor_benefits" in listed.stdout and "远程视频核验" in listed.stdout
    services = json.loads(onewindow("services", "--json").stdout)
    assert len(services) == 10
    retirement = next(s for s in services if s["id"] == "retirement")
    assert retirement["eligibility"][0]["rule"] == "retirement_age"


def test_one_service_reads_as_what_to_bring():
    shown = onewindow("services", "survivor_benefits")
    assert shown.returncode == 0
    assert "请准备" in shown.stdout and "常住人口登记卡 或 结婚证" in shown.stdout
    assert "死亡医学证明" in shown.stdout
    claim = onewindow("services", "resident_pension_claim").stdout
    assert "年满60周岁" in claim


def test_unknown_service_is_one_line_and_exit_2():
    result = onewindow("services", "no_such_service")
    assert result.returncode == 2
    assert "unknown service" in result.stderr and len(result.stderr.strip().splitlines()) == 1
