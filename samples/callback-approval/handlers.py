"""The approvals queue's consumer: approves small orders at once, leaves the others to a person."""

import json
import sys

from asl.callbacks import send_task_success

LIMIT = 100


def auto_approve(event, context):
    """SQS-style consumer: answer the task token of orders under LIMIT; a person answers the rest."""
    for record in event["Records"]:
        body = json.loads(record["body"])
        if body["total"] < LIMIT:
            send_task_success(body["TaskToken"], {"approved": True, "approvedBy": "auto-approve"})
        else:
            print(f"order {body['orderId']} ({body['total']}) waits for a person: "
                  f"sfn task success {body['TaskToken']} --output '{{\"approved\": true, \"approvedBy\": \"you\"}}'", file=sys.stderr)
