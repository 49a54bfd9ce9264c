"""The Step Functions API's errors: AWS's code, message and wire namespace for each refusal."""

from __future__ import annotations

from ..errors import SfnError

# AWS puts Step Functions' own errors under this namespace, and constraint failures under coral's.
SERVICE_NAMESPACE = "com.amazonaws.swf.service.v2.model"
CORAL_VALIDATE = "com.amazon.coral.validate"
CORAL_SERVICE = "com.amazon.coral.service"


class ApiError(SfnError):
    """One API call refused: `code` as the SDKs read it (`Error.Code`), `message` as AWS words it."""

    def __init__(self, code: str, message: str, status: int = 400, namespace: str = SERVICE_NAMESPACE) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.namespace = namespace
        super().__init__(f"{code}: {message}")

    def body(self) -> dict:
        """The awsJson1_0 error body."""
        return {"__type": f"{self.namespace}#{self.code}", "message": self.message}


def validation(message: str) -> ApiError:
    """ValidationException (coral's namespace), as AWS answers a member that breaks its constraints."""
    return ApiError("ValidationException", message, namespace=CORAL_VALIDATE)


def invalid_arn(arn: str, why: str | None = None) -> ApiError:
    """InvalidArn, with AWS's "Invalid ARN prefix" wording for text that is no ARN at all."""
    return ApiError("InvalidArn", f"Invalid Arn: '{why or 'Invalid ARN prefix: ' + arn}'")


def machine_missing(arn: str) -> ApiError:
    return ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def execution_missing(arn: str) -> ApiError:
    return ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def activity_missing(arn: str) -> ApiError:
    return ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def resource_missing(message: str = "Request references a resource that does not exist.") -> ApiError:
    return ApiError("ResourceNotFound", message)


def invalid_token() -> ApiError:
    return ApiError("InvalidToken", "Invalid Token: 'Invalid token'")
