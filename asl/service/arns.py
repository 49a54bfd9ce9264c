"""ARNs the API takes: parsed once into what they name, with AWS's InvalidArn for the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import aws
from .errors import ApiError, invalid_arn

# What AWS refuses in the names of machines, executions, activities (the guide's naming rules):
# whitespace, brackets, wildcards, special characters and control characters.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Arn:
    """`arn:PARTITION:states:REGION:ACCOUNT:KIND:REST...`, split."""

    text: str
    kind: str                 # stateMachine, execution, express, activity, mapRun
    parts: tuple[str, ...]    # what follows the kind

    @property
    def base(self) -> str:
        """`arn:PARTITION:states:REGION:ACCOUNT:`."""
        return self.text[: len(self.text) - len(":".join((self.kind, *self.parts)))]


def parse(text: str, *kinds: str) -> Arn:
    """The ARN, if it is a Step Functions ARN of one of these kinds; else AWS's InvalidArn."""
    fields = text.split(":")
    if len(fields) < 7 or fields[0] != "arn" or fields[2] != "states" or not fields[1]:
        raise invalid_arn(text)
    kind = fields[5]
    if kind not in kinds:
        raise invalid_arn(text, f"Resource type not valid in this context: {kind}")
    parts = tuple(fields[6:])
    expected = {"stateMachine": (1, 2), "execution": (2, 2), "express": (3, 3), "activity": (1, 1),
                "mapRun": (2, 2)}[kind]
    if not expected[0] <= len(parts) <= expected[1] or not all(parts):
        raise invalid_arn(text, f"Invalid ARN: {text}")
    return Arn(text, kind, parts)


def machine_arn(name: str) -> str:
    """The local account's ARN for a state machine name."""
    return aws.state_machine_arn(name, aws.REGION, aws.ACCOUNT)


def activity_arn(name: str) -> str:
    """The local account's ARN for an activity name."""
    return f"arn:{aws.PARTITION}:states:{aws.REGION}:{aws.ACCOUNT}:activity:{name}"


def check_name(name: str) -> None:
    """AWS's InvalidName for a name with characters ARNs and URLs cannot carry."""
    if _BAD_NAME.search(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")
