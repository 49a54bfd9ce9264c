"""Which files under a directory `sfn validate DIR` checks.

Every `*.asl.json`, `*.asl.yaml` and `*.asl.yml`; and every other `*.json`, `*.yaml` or `*.yml`
that holds a state machine: a top-level `StartAt` and `States`, or a CloudFormation / SAM
template with an AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine resource.
Hidden directories, node_modules, __pycache__ and Python virtual environments are not entered;
symbolic links to directories are not followed.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

from .cfn import MACHINE_TYPES, is_template

NAMED = (".asl.json", ".asl.yaml", ".asl.yml")
OTHER = (".json", ".yaml", ".yml")
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__"})
# Definitions and templates are at most 1 MB on AWS: a bigger file that is not named *.asl.*
# is data, and is not read at all.
MAX_OTHER_BYTES = 1024 * 1024


def definition_files(root: str) -> Iterator[tuple[str, bool]]:
    """(path, named) for each file under `root` that may be a definition, in sorted order.

    `named`: the name says it is one (`*.asl.*`); otherwise the caller keeps the file only when
    `holds_a_machine` says so.
    """
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped(folder, d))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            if name.endswith(NAMED):
                yield path, True
            elif name.endswith(OTHER) and _size(path) <= MAX_OTHER_BYTES:
                yield path, False


def may_hold_a_machine(text: str) -> bool:
    """A cheap look at the text before parsing it: the words a definition or template needs."""
    return ("StartAt" in text and "States" in text) or any(kind in text for kind in MACHINE_TYPES)


def holds_a_machine(data: Any) -> bool:
    """Whether parsed data is a state machine definition or a template with a state machine."""
    if isinstance(data, dict) and "StartAt" in data and "States" in data:
        return True
    return is_template(data) and any(isinstance(r, dict) and r.get("Type") in MACHINE_TYPES
                                     for r in data["Resources"].values())


def _skipped(folder: str, name: str) -> bool:
    return (name.startswith(".") or name in SKIPPED_DIRECTORIES
            or os.path.isfile(os.path.join(folder, name, "pyvenv.cfg")))


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # let reading it report the problem
