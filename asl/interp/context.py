"""The context object `$$` and the AWS-shaped names and ARNs of a local execution."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"


@dataclass
class ExecutionInfo:
    """What `$$.Execution` and `$$.StateMachine` say about this run."""

    machine_name: str
    name: str = field(default_factory=lambda: str(uuid.uuid4()))
    start_time: str = ""
    input: Any = None
    redrive_count: int = 0
    region: str = REGION
    account: str = ACCOUNT
    express: bool = False
    # Express executions' ARNs carry a second, run-unique part after the name.
    express_suffix: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def machine_arn(self) -> str:
        """arn:aws:states:REGION:ACCOUNT:stateMachine:NAME."""
        return f"arn:{PARTITION}:states:{self.region}:{self.account}:stateMachine:{self.machine_name}"

    @property
    def execution_arn(self) -> str:
        """arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME (Express: express:MACHINE:NAME:ID)."""
        if self.express:
            return (f"arn:{PARTITION}:states:{self.region}:{self.account}:express:{self.machine_name}:"
                    f"{self.name}:{self.express_suffix}")
        return f"arn:{PARTITION}:states:{self.region}:{self.account}:execution:{self.machine_name}:{self.name}"

    @property
    def role_arn(self) -> str:
        """The (local, fictional) role the execution runs as."""
        return f"arn:{PARTITION}:iam::{self.account}:role/service-role/StepFunctions-{self.machine_name}-role"

    def map_run_arn(self, state: Any) -> str:
        """The ARN of a Distributed Map's Map Run."""
        label = getattr(state, "label", None) or state.name
        return (f"arn:{PARTITION}:states:{self.region}:{self.account}:mapRun:{self.machine_name}/"
                f"{label}:{uuid.uuid4()}")

    def execution_object(self) -> dict:
        """`$$.Execution` (Express executions cannot be redriven: no RedriveCount)."""
        execution = {
            "Id": self.execution_arn,
            "Input": self.input,
            "StartTime": self.start_time,
            "Name": self.name,
            "RoleArn": self.role_arn,
        }
        if not self.express:
            execution["RedriveCount"] = self.redrive_count
        return execution

    def machine_object(self) -> dict:
        """`$$.StateMachine`."""
        return {"Id": self.machine_arn, "Name": self.machine_name}
