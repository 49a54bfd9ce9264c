"""`sfn serve`'s pages, through a real server on 127.0.0.1: the list of executions, one execution's
report, 404 for an unknown ARN, a running execution's page refreshing itself; everything escaped."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser

from types import SimpleNamespace

from asl.service.pages import execution_path, list_page
from serve_helpers import create, wait_done

WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "<b>bad</b>"}}})
REFRESH = '<meta http-equiv="refresh"'


def get(server, path):
    """(status, content type, body) of a GET."""
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


class Links(HTMLParser):
    """The rows of the executions table: each row's cell texts and its link."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_cell = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append({"cells": [], "href": None})
        elif tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
            self.in_cell = True
        elif tag == "a" and self.rows:
            self.rows[-1]["href"] = dict(attrs)["href"]

    def handle_endtag(self, tag):
        if tag == "td":
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1]["cells"][-1] += data


def test_the_list_links_every_execution_to_its_report(start_server):
    _, server, sfn = start_server()
    ok = sfn.start_execution(stateMachineArn=create(sfn), name="run-1")["executionArn"]
    failed = sfn.start_execution(stateMachineArn=create(sfn, FAIL, name="fails"), name="run-2")["executionArn"]
    wait_done(sfn, ok), wait_done(sfn, failed)
    status, kind, body = get(server, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert REFRESH not in body                          # nothing runs: nothing to refresh
    parser = Links()
    parser.feed(body)
    rows = [r for r in parser.rows if r["cells"]]
    assert [(r["cells"][0], r["cells"][1], r["cells"][2], r["href"]) for r in rows] == [
        ("run-2", "fails", "FAILED", execution_path(failed)), ("run-1", "machine", "SUCCEEDED", execution_path(ok))]
    assert all(r["cells"][3].startswith("20") and r["cells"][4].endswith("s") for r in rows)   # start, duration


def test_what_the_list_shows_is_escaped():
    """Names the API refuses can still be in a store `sfn run` wrote to (and a machine name is free text there)."""
    row = {"arn": "arn:x:\"><script>", "name": "<i>x", "machine": "<b>m</b>", "status": "FAILED",
           "started_at": "2024-05-01T10:00:00+00:00", "stopped_at": "2024-05-01T10:00:01.500000+00:00"}
    service = SimpleNamespace(db=SimpleNamespace(executions=lambda limit: [row]))
    body = list_page(service)
    assert "<i>" not in body and "<b>" not in body and "<script>" not in body
    parser = Links()
    parser.feed(body)
    [found] = [r for r in parser.rows if r["cells"]]
    assert found == {"cells": ["<i>x", "<b>m</b>", "FAILED", "2024-05-01T10:00:00+00:00", "1.500s"],
                     "href": execution_path(row["arn"])}


def test_one_execution_is_its_report_page(start_server):
    _, server, sfn = start_server()
    arn = sfn.start_execution(stateMachineArn=create(sfn, FAIL, name="fails"), name="run-2")["executionArn"]
    wait_done(sfn, arn)
    status, kind, body = get(server, execution_path(arn))
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "<title>fails · run-2</title>" in body and REFRESH not in body
    data = json.loads(body.split('<script type="application/json" id="run-data">')[1].split("</script>")[0]
                      .replace("<\\/", "</"))
    assert (data["execution"]["status"], data["execution"]["cause"]) == ("FAILED", "<b>bad</b>")
    assert "<b>bad</b>" not in body.split("<script")[0]   # the cause is data, not markup


def test_an_unknown_arn_is_404_and_other_paths_stay_the_apis(start_server):
    _, server, sfn = start_server()
    arn = "arn:aws:states:us-east-1:123456789012:execution:machine:<nope>"
    status, kind, body = get(server, execution_path(arn))
    assert (status, kind) == (404, "text/html; charset=utf-8")
    assert "&lt;nope&gt;" in body and "<nope>" not in body
    sfn.start_execution(stateMachineArn=create(sfn), name="run-3")
    assert get(server, "/executions/run-3")[0] == 404      # a name is not an ARN
    status, kind, body = get(server, "/other")
    assert (status, json.loads(body)["__type"]) == (404, "com.amazon.coral.service#UnknownOperationException")


def test_a_running_execution_refreshes_until_it_ends(start_server):
    _, server, sfn = start_server(clock="real")
    arn = sfn.start_execution(stateMachineArn=create(sfn, WAIT), name="slow")["executionArn"]
    deadline = time.monotonic() + 5
    while len(sfn.get_execution_history(executionArn=arn)["events"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    status, _, body = get(server, execution_path(arn))
    assert status == 200 and REFRESH in body and "WaitStateEntered" in body
    assert REFRESH in get(server, "/")[2]
    sfn.stop_execution(executionArn=arn)
    wait_done(sfn, arn)
    assert REFRESH not in get(server, execution_path(arn))[2]
