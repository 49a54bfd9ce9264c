"""The README's `sfn serve` pytest fixture, taken from the README and driven as pytest would drive it."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _fixture_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    return next(b for b in blocks if "@pytest.fixture" in b and "ApiServer" in b)


def test_the_readme_fixture_starts_a_server_and_stops_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resources.yaml").write_text("")   # an empty resources file: no resources
    namespace: dict = {}
    exec(compile(_fixture_block(), "README.md", "exec"), namespace)
    fixture = namespace["sfn"]
    body = getattr(fixture, "__pytest_wrapped__", None)
    steps = (body.obj if body is not None else fixture.__wrapped__)(tmp_path)
    client = next(steps)
    arn = client.create_state_machine(name="m", roleArn="arn:aws:iam::123456789012:role/r", definition=(
        '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'))["stateMachineArn"]
    assert client.list_state_machines()["stateMachines"][0]["stateMachineArn"] == arn
    url = client.meta.endpoint_url
    assert next(steps, "stopped") == "stopped"
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(url, timeout=2)
        stopped = False
    except urllib.error.HTTPError:   # an answer, even a 404: still serving
        stopped = False
    except (urllib.error.URLError, ConnectionError, OSError):
        stopped = True
    assert stopped


def test_boto3_finds_the_server_through_aws_endpoint_url_sfn(start_server, monkeypatch):
    import boto3

    _, server, _ = start_server()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", server.url)
    client = boto3.session.Session().client("stepfunctions", region_name="us-east-1", aws_access_key_id="test",
                                            aws_secret_access_key="test")
    assert client.meta.endpoint_url == server.url
    assert client.list_state_machines()["stateMachines"] == []
