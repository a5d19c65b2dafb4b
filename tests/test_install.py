"""End to end: `pip install .` (not editable) into a fresh virtual environment gives a working
`clinic-lint` that finds its packs, lints the sample posts and exits with the documented codes."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
    return bindir / "clinic-lint"


def _run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd)


def test_installed_command_lints_the_seeds(installed, tmp_path):
    proc = _run(installed, "check", str(ROOT / "seeds"), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["findings"], "the sample posts must draw findings"
    first = report["findings"][0]
    assert {"path", "line", "column", "end_line", "end_column", "rule", "category"} <= first.keys()


def test_installed_command_clean_file_and_broken_pack(installed, tmp_path):
    clean = tmp_path / "hours.md"
    clean.write_text("# Opening hours\n\nWe are open Monday to Friday, 9am to 5pm.\n", encoding="utf-8")
    assert _run(installed, "check", str(clean), cwd=tmp_path).returncode == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: broken\ndescription: x\nversion: '1'\nrules:\n  - id: a\n    categroy: hype\n", encoding="utf-8"
    )
    proc = _run(installed, "check", str(clean), "--pack", str(broken), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{broken}:6:5:" in proc.stderr and "categroy" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_installed_command_version_and_rules(installed, tmp_path):
    from lint import __version__

    assert _run(installed, "--version", cwd=tmp_path).stdout.strip() == f"clinic-lint {__version__}"
    rules = json.loads(_run(installed, "rules", "--format", "json", cwd=tmp_path).stdout)
    assert {r["pack"] for r in rules} >= {"evidence", "claims", "weight-loss", "drug-regulatory", "disclaimers"}
