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
_INTEGRATION = re.compile(r"^(?:aws-sdk:)?(?P<service>[\w-]+):(?P<action>[A-Za-z][\w-]*)"
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
    if m["service"] != "states" or m["region"] or m["account"]:
        return
    integration = _INTEGRATION.match(m["resource"])
    sdk = m["resource"].startswith("aws-sdk:")
    if integration is None:
        yield diag(SCHEMA, _unrecognised(value), ptr)
        return
    if sdk:
        return  # any AWS SDK service:action
    actions = OPTIMIZED.get(integration["service"], frozenset())
    if actions is not None and integration["action"] not in actions:
        yield diag(SCHEMA, _unrecognised(value), ptr)


def _unrecognised(value: str) -> str:
    return (f"The resource provided {value} is not recognized. The value is not a valid resource ARN, "
            "or the resource is not available in this region.")
