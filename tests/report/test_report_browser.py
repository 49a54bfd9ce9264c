"""The report in a real headless Chromium (Selenium): no console error, no request, every state
shown, and clicking a state in the graph shows its input and output and selects it in the table."""

import json

import pytest
from click.testing import CliRunner

from cli.main import sfn
from headless import MISSING, chrome, required
from outcome_run import DEFINITION, stored_run  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(bool(required(MISSING)), reason=MISSING)
if not MISSING:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture(scope="module")
def browser():
    driver = chrome()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def loaded(browser, stored_run, tmp_path_factory):
    _, store_path, name = stored_run
    page = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(sfn, ["report", name, "--store", str(store_path), "-o", str(page)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    browser.get(page.as_uri())
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#states .row"))
    return browser, page


def test_no_console_error_and_no_request(loaded):
    browser, page = loaded
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert [url for url in requested if url != page.as_uri()] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_every_state_is_shown(loaded):
    browser, _ = loaded
    drawn = {g.get_attribute("data-node") for g in browser.find_elements(By.CSS_SELECTOR, "#graph g[data-node]")}
    expected = {"/" + name for name in DEFINITION["States"]} | {"/Items/0/Work"}
    assert drawn == expected
    table = browser.find_element(By.ID, "states").text
    for name in ("Flaky", "Items", "Iteration 0", "Iteration 2", "Work", "Risky", "Recover", "GiveUp"):
        assert name in table
    assert "GaveUp" in browser.find_element(By.ID, "banner").text
    assert browser.find_element(By.ID, "events-count").text.endswith(" of " + str(
        len(browser.execute_script("return JSON.parse(document.getElementById('run-data').textContent).events"))))


def test_clicking_a_state_shows_its_input_and_output(loaded):
    browser, _ = loaded
    browser.find_element(By.CSS_SELECTOR, '#graph g[data-node="/Recover"] rect').click()
    details = browser.find_element(By.ID, "details")
    assert details.find_element(By.TAG_NAME, "h3").text == "Recover"
    shown_input = json.loads(details.find_element(By.CSS_SELECTOR, "pre.input").get_attribute("textContent"))
    assert shown_input["error"] == {"Error": "Boom", "Cause": shown_input["error"]["Cause"]}
    assert "it blew up" in shown_input["error"]["Cause"]
    shown_output = json.loads(details.find_element(By.CSS_SELECTOR, "pre.output").get_attribute("textContent"))
    assert shown_output == shown_input   # a Pass state without fields passes its input on
    selected = browser.find_elements(By.CSS_SELECTOR, "#states .row.selected")
    assert [row.get_attribute("data-node") for row in selected] == ["/Recover"]
    assert "selected" in browser.find_element(By.CSS_SELECTOR, '#graph g[data-node="/Recover"]').get_attribute("class")


def test_a_map_state_inside_shows_its_failed_iteration_and_the_retry_attempts(loaded):
    browser, _ = loaded
    browser.find_element(By.CSS_SELECTOR, '#graph g[data-node="/Items/0/Work"] rect').click()
    details = browser.find_element(By.ID, "details")
    assert json.loads(details.find_element(By.CSS_SELECTOR, "pre.input").get_attribute("textContent")) == "bad"
    assert "Visit 2 of 3 (iteration 1)" in details.text
    browser.find_element(By.CSS_SELECTOR, '#graph g[data-node="/Flaky"] rect').click()
    attempts = browser.find_element(By.CSS_SELECTOR, "#details table.attempts").text
    assert "Busy: " in attempts and "busy, try again" in attempts
    assert "3.00 s" in attempts   # the backoff before the second attempt


def test_event_filters(loaded):
    browser, _ = loaded
    Select(browser.find_element(By.ID, "event-kind")).select_by_value("errors")
    rows = browser.find_elements(By.CSS_SELECTOR, "#events .row")
    types = {row.find_elements(By.TAG_NAME, "span")[1].text for row in rows}
    assert types == {"LambdaFunctionFailed", "MapIterationFailed", "ExecutionFailed"}
    Select(browser.find_element(By.ID, "event-kind")).select_by_value("all")
    search = browser.find_element(By.ID, "event-search")
    search.send_keys("mapiterationfailed")
    assert browser.find_element(By.ID, "events-count").text.startswith("1 of ")
    search.clear()
