"""`sfn test-state`: the request file, the flags over it, JSON out, exit 0 answered / 2 refused."""

import json

from click.testing import CliRunner

from cli.main import sfn


def invoke(*args):
    return CliRunner().invoke(sfn, ["test-state", *map(str, args)], catch_exceptions=False)


def test_request_file_answered(tmp_path):
    request = tmp_path / "r.json"
    request.write_text(json.dumps({"definition": json.dumps({"Type": "Pass", "Result": 1, "Next": "X"}),
                                   "input": "{}"}))
    result = invoke("--request", request, "--output", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"status": "SUCCEEDED", "output": "1", "nextState": "X"}


def test_flags_override_the_request(tmp_path):
    definition = tmp_path / "s.yaml"
    definition.write_text("Type: Pass\nInputPath: $.a\nEnd: true\n")
    result = invoke("--definition", definition, "--input", '{"a": 5}', "--inspection-level", "DEBUG",
                    "--output", "json")
    response = json.loads(result.output)
    assert json.loads(response["output"]) == 5
    assert json.loads(response["inspectionData"]["afterInputPath"]) == 5


def test_refusal_exits_2_with_aws_error(tmp_path):
    definition = tmp_path / "f.json"
    definition.write_text(json.dumps({"Type": "Fail", "Error": "E"}))
    result = invoke("--definition", definition, "--mock", '{"result": "1"}', "--output", "json")
    assert result.exit_code == 2
    assert json.loads(result.output)["error"]["code"] == "ValidationException"


def test_unreadable_request_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(sfn, ["test-state", "--request", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_text_output_draws_the_pipeline_with_the_stages(tmp_path):
    definition = tmp_path / "s.json"
    definition.write_text(json.dumps({"Type": "Pass", "InputPath": "$.a", "Next": "B"}))
    result = invoke("--definition", definition, "--input", '{"a": {"b": 1}}', "--output", "text")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # no --inspection-level: the drawing asks for DEBUG, so the stages are there
    assert [line[2:].split()[0] for line in lines] == ["input", "InputPath", "Parameters", "ResultSelector",
                                                        "ResultPath", "output", "SUCCEEDED"]
    assert lines[-1].endswith("next → B")


def test_pipeline_output_of_a_refusal_exits_2(tmp_path):
    result = invoke("--definition", tmp_path / "missing.json", "--output", "pipeline")
    assert result.exit_code == 2
    definition = tmp_path / "f.json"
    definition.write_text(json.dumps({"Type": "Fail", "Error": "E"}))
    result = invoke("--definition", definition, "--mock", '{"result": "1"}', "--output", "pipeline")
    assert result.exit_code == 2
    assert "refused ValidationException" in result.output
