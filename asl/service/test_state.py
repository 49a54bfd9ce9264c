"""The TestState operation: the request through `asl.api.test_state`, refusals as AWS's API errors.

The endpoint answers exactly what `sfn test-state` prints: the same library call, with the
server's resources answering a Task tested without a mock (as `sfn run` / StartExecution would).
"""

from __future__ import annotations

from typing import Any

from ..errors import SfnError
from .errors import CORAL_SERVICE, CORAL_VALIDATE, SERVICE_NAMESPACE, ApiError


def test_state(services: Any, request: dict) -> dict:
    """One TestState call: the response members, or ApiError with AWS's code and message."""
    from ..api import test_state as answer
    from ..testing.test_state import TestStateRefusal

    try:
        return answer(request, resources=services)
    except TestStateRefusal as refusal:
        # Constraint and type failures are coral's (as the other operations'); the others the service's own.
        namespace = {"ValidationException": CORAL_VALIDATE, "SerializationException": CORAL_SERVICE}.get(
            refusal.code, SERVICE_NAMESPACE)
        raise ApiError(refusal.code, refusal.message, namespace=namespace) from None
    except SfnError as exc:  # bad input past the library's own checks: a refusal, never a 500
        raise ApiError("ValidationException", getattr(exc, "message", None) or str(exc),
                       namespace=CORAL_VALIDATE) from None


test_state.__test__ = False  # an operation, not a pytest test
