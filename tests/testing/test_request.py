"""asl.testing.request: a TestState request's member types and constraints, refused as AWS's API does."""

import pytest

from asl.testing.request import check_request
from asl.testing.test_state import TestStateRefusal

OK = '{"Type": "Pass", "End": true}'


@pytest.mark.parametrize("request_, code, message", [
    ({"definition": OK, "mock": [1]}, "SerializationException", "Start of list found where not expected"),
    ({"definition": OK, "mock": "x"}, "SerializationException", "STRING_VALUE can not be converted to a Structure"),
    ({"definition": OK, "input": {"a": 1}}, "SerializationException",
     "Start of structure or map found where not expected."),
    ({"definition": OK, "revealSecrets": "yes"}, "SerializationException",
     "STRING_VALUE can not be converted to a Boolean"),
    ({"definition": OK, "stateConfiguration": {"mapIterationFailureCount": 1.5}}, "SerializationException",
     "NUMBER_VALUE can not be converted to an Integer"),
    ({"definition": OK, "stateConfiguration": {"retrierRetryCount": True}}, "SerializationException",
     "BOOLEAN_VALUE can not be converted to an Integer"),
    ({"definition": OK, "mock": {"errorOutput": {"cause": ["c"]}}}, "SerializationException",
     "START_ARRAY can not be converted to a String"),
    ({"definition": ""}, "ValidationException", "1 validation error detected: Value '' at 'definition' failed to "
                                                "satisfy constraint: Member must have length greater than or equal to 1"),
    ({"definition": OK, "mock": {"fieldValidationMode": "LOOSE"}}, "ValidationException",
     "1 validation error detected: Value 'LOOSE' at 'mock.fieldValidationMode' failed to satisfy constraint: "
     "Member must satisfy enum value set: [STRICT, PRESENT, NONE]"),
    ({"definition": OK, "stateName": "n" * 81, "stateConfiguration": {"mapIterationFailureCount": -2}},
     "ValidationException", "2 validation errors detected: Value '" + "n" * 81 + "' at 'stateName' failed to "
     "satisfy constraint: Member must have length less than or equal to 80; Value '-2' at "
     "'stateConfiguration.mapIterationFailureCount' failed to satisfy constraint: Member must have value greater "
     "than or equal to 0"),
])
def test_refusals(request_, code, message):
    with pytest.raises(TestStateRefusal) as info:
        check_request(request_)
    assert (info.value.code, info.value.message) == (code, message)


def test_a_well_formed_request_passes():
    check_request({"definition": OK, "input": "{}", "inspectionLevel": "TRACE", "revealSecrets": False,
                   "mock": {"result": "{}", "fieldValidationMode": "NONE", "errorOutput": {"error": "", "cause": "c"}},
                   "stateConfiguration": {"retrierRetryCount": 0, "errorCausedByState": "S",
                                          "mapIterationFailureCount": 3, "mapItemReaderData": "[]"}})
