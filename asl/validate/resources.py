"""Task Resource checks: an ARN, and for `arn:aws:states:::` integrations one AWS recognises.

A Resource is only ever read as text here: nothing it names is imported or called.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..diagnostics import WARNING, Diagnostic
from .context import diag

INVALID_RESOURCE = "INVALID_RESOURCE"
SCHEMA = "SCHEMA_VALIDATION_FAILED"

_ARN = re.compile(r"^arn:(?P<partition>[\w<>-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):(?P<account>[\w-]*):"
                  r"(?P<resource>.+)$")
_INTEGRATION = (r"^(?:aws-sdk:)?(?P<service>[\w-]+):(?P<action>[A-Za-z][\w-]*)"
                r"(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$")
_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")

# Optimized integrations (arn:aws:states:::SERVICE:ACTION). None: any action of the service;
# a set: the only actions the optimized integration offers (AWS rejects others, e.g.
# dynamodb:query - use aws-sdk:dynamodb:query).
OPTIMIZED: dict[str, frozenset[str] | None] = {
    "lambda": frozenset({"invoke"}),
    "sns": frozenset({"publish"}),
    "sqs": frozenset({"sendMessage"}),
    "dynamodb": frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
    "s3": frozenset({"getObject", "putObject", "listObjectsV2"}),
    "states": frozenset({"startExecution"}),
    "events": frozenset({"putEvents"}),
    "apigateway": frozenset({"invoke"}),
    "http": frozenset({"invoke"}),
    "ecs": None, "batch": None, "glue": None, "databrew": None, "athena": None,
    "elasticmapreduce": None, "emr-containers": None, "emr-serverless": None, "eks": None,
    "sagemaker": None, "codebuild": None, "bedrock": None, "mediaconvert": None, "evidently": None,
}

# Integration patterns beyond Request Response, from the guide's table of optimized
# integrations ("Run a Job (.sync)", "Wait for Callback (.waitForTaskToken)"). AWS SDK
# integrations support Wait for Callback but not Run a Job; `.sync:2` is startExecution's.
RUN_A_JOB = frozenset({"athena", "batch", "bedrock", "codebuild", "ecs", "eks", "elasticmapreduce", "emr-containers",
                       "emr-serverless", "glue", "databrew", "mediaconvert", "sagemaker", "states"})
WAIT_FOR_CALLBACK = frozenset({"apigateway", "bedrock", "ecs", "eks", "events", "lambda", "sns", "sqs", "states"})


def check_resource(value: Any, ptr: str) -> Iterator[Diagnostic]:
    """Diagnostics for one Resource value."""
    if not isinstance(value, str):
        return  # the schema reports the type
    if _PLACEHOLDER.search(value):
        # CloudFormation / SAM DefinitionSubstitutions fill these in before AWS validates.
        yield diag("UNRESOLVED_SUBSTITUTION", f"Resource '{value}' holds a ${{...}} placeholder; AWS validates "
                                              "the value substituted for it", ptr, WARNING)
        return
    m = _ARN.match(value)
    if m is None:
        yield diag(INVALID_RESOURCE, f"Resource '{value}' is not a valid resource ARN "
                                     "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", ptr)
        return
    if m["service"] != "states":
        return
    if m["region"] or m["account"]:
        # arn:PARTITION:states:REGION:ACCOUNT:activity:NAME is the one regional form a Task runs.
        if not m["resource"].startswith("activity:"):
            yield diag(SCHEMA, _unrecognised(value, "a regional states ARN names an activity"), ptr)
        return
    integration = re.match(_INTEGRATION, m["resource"])
    if integration is None:
        yield diag(SCHEMA, _unrecognised(value), ptr)
        return
    problem = _pattern_problem(integration["service"], integration["pattern"],
                               sdk=m["resource"].startswith("aws-sdk:"))
    if problem:
        yield diag(SCHEMA, _unrecognised(value, problem), ptr)
        return
    if m["resource"].startswith("aws-sdk:"):
        return  # any AWS SDK service:action
    actions = OPTIMIZED.get(integration["service"], frozenset())
    if actions is not None and integration["action"] not in actions:
        yield diag(SCHEMA, _unrecognised(value), ptr)


def _pattern_problem(service: str, pattern: str | None, sdk: bool) -> str | None:
    """Why an integration pattern is not available for a service, or None."""
    if pattern is None:
        return None
    if pattern == ".waitForTaskToken":
        return None if sdk or service in WAIT_FOR_CALLBACK else f"{service} has no .waitForTaskToken pattern"
    if sdk:
        return "AWS SDK integrations have no .sync pattern"
    if pattern == ".sync:2" and service != "states":
        return ".sync:2 is only for states:startExecution"
    return None if service in RUN_A_JOB else f"{service} has no .sync pattern"


def _unrecognised(value: str, why: str | None = None) -> str:
    return (f"The resource provided {value} is not recognized. The value is not a valid resource ARN, "
            "or the resource is not available in this region." + (f" ({why})" if why else ""))
