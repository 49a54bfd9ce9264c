"""`sfn test-state`: AWS's TestState API offline (one state, once); exit 0 answered, 2 refused."""

from __future__ import annotations

import json
import os
import sys

import click

from asl.errors import UserInputError
from asl.loader import load_text, read_text
from ..safe_text import safe, safe_json


def _json_or_file(value: str, what: str) -> object:
    """A flag's value: JSON text, or a file holding JSON / YAML."""
    try:
        return json.loads(value)
    except ValueError:
        pass
    if not os.path.exists(value):
        raise UserInputError(f"{what}: neither JSON nor a readable file: {value}")
    return load_text(read_text(value), value).data


@click.command("test-state")
@click.option("--request", "request_file", type=click.Path(dir_okay=False), help="A TestState request (JSON).")
@click.option("--definition", "definition_file", type=click.Path(dir_okay=False), help="The state or machine.")
@click.option("--input", "input_text", help="The state's input (JSON).")
@click.option("--input-file", type=click.Path(dir_okay=False), help="The state's input, from a file.")
@click.option("--state-name", help="The state to test inside a whole machine.")
@click.option("--inspection-level", type=click.Choice(["INFO", "DEBUG", "TRACE"]))
@click.option("--mock", help="The mock object (JSON or file).")
@click.option("--context", help="The context object (JSON or file).")
@click.option("--state-configuration", help="stateConfiguration (JSON or file).")
@click.option("--variables", help="Variables in scope (JSON or file).")
@click.option("--role-arn", help="The role (needed for a Task without a mock).")
@click.option("--reveal-secrets", is_flag=True, default=None)
@click.option("--resources", "resources_file", type=click.Path(dir_okay=False),
              help="Resources file: what answers a Task tested without a mock (as in `sfn run`).")
@click.option("--output", "output_format", type=click.Choice(["json", "text", "pipeline"]), default=None,
              help="json: the API's response; text / pipeline: the data flow drawn (the default on a terminal).")
def test_state(request_file, definition_file, input_text, input_file, state_name, inspection_level, mock,
               context, state_configuration, variables, role_arn, reveal_secrets, resources_file,
               output_format) -> None:
    """Test one state as AWS's TestState API does, offline."""
    from asl.api import test_state as answer
    from asl.testing.test_state import TestStateRefusal

    request = {}
    if request_file:
        request = load_text(read_text(request_file), request_file).data
        if not isinstance(request, dict):
            raise UserInputError(f"{request_file}: a TestState request is a JSON object")
    if definition_file:
        request["definition"] = json.dumps(load_text(read_text(definition_file), definition_file).data)
    if input_file:
        request["input"] = read_text(input_file)
    if input_text is not None:
        request["input"] = input_text
    for key, value in (("stateName", state_name), ("inspectionLevel", inspection_level), ("roleArn", role_arn),
                       ("revealSecrets", reveal_secrets)):
        if value is not None:
            request[key] = value
    for key, value in (("mock", mock), ("stateConfiguration", state_configuration)):
        if value is not None:
            request[key] = _json_or_file(value, "--" + key)
    for key, value in (("context", context), ("variables", variables)):
        if value is not None:
            request[key] = json.dumps(_json_or_file(value, "--" + key))
    as_json = output_format == "json" or (output_format is None and not sys.stdout.isatty())
    if not as_json and "inspectionLevel" not in request:
        request["inspectionLevel"] = "DEBUG"  # the drawing needs the stages INFO leaves out
    try:
        response = answer(request, resources=resources_file)
        code = 0
    except TestStateRefusal as refusal:
        response, code = refusal.as_dict(), 2
    if as_json:
        click.echo(safe_json(json.dumps(response)))
    else:
        from rich.console import Console

        from ..pipeline import render_pipeline

        render_pipeline(response, Console(highlight=False))
    sys.exit(code)
