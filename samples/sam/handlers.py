"""The template's ChargeFunction, as sfn runs it locally (mapped in resources.yaml)."""


def charge(event, context):
    return {"amount": event["total"], "by": context.function_name}
