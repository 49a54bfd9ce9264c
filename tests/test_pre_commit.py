"""The README's pre-commit configuration, exactly as written, in a scratch git repository."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def readme_config() -> str:
    """The first YAML block under the README's "### pre-commit" heading."""
    section = ROOT.joinpath("README.md").read_text().split("### pre-commit", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_the_readme_hook_and_the_repository_hook_check_the_same_files():
    [local] = yaml.safe_load(readme_config())["repos"][0]["hooks"]
    [declared] = yaml.safe_load(ROOT.joinpath(".pre-commit-hooks.yaml").read_text())
    assert (local["id"], local["entry"], local["files"]) == (declared["id"], declared["entry"], declared["files"])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_readme_configuration_works_as_written(tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the test extra: "
                                             "pip install -e '.[test]')")
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(readme_config())
    (repo / "good.asl.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    (repo / "notes.json").write_text('{"not": "a definition"}')   # not an .asl file: not checked
    # The installed `sfn` must be on PATH (language: system), as in the environment one commits from.
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(*args):
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=120)

    assert run("git", "init", "-q", ".").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    passed = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert passed.returncode == 0 and "sfn validate" in passed.stdout and "Passed" in passed.stdout, passed

    (repo / "bad.asl.json").write_text('{"StartAt": "A",\n "States": {"A": {"Type": "Pass", "Next": "B"}}}')
    assert run("git", "add", "-A").returncode == 0
    failed = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "bad.asl.json:2:35: ERROR MISSING_TRANSITION_TARGET" in failed.stdout, failed.stdout
