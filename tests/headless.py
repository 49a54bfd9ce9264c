"""Headless Chromium through Selenium for the tests that need a real browser.

Locally a test skips, with the reason, when Debian's chromium / chromium-driver or selenium is
missing; under CI (which installs them in .ci/run) their absence is an error instead.
"""

import os
import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
except ImportError:  # the test extra installs it
    webdriver = None

MISSING = ("no headless browser: install Debian's chromium and chromium-driver (.ci/run does) and "
           "`pip install -e .[test]` for selenium") if not (CHROMIUM and DRIVER and webdriver) else ""


def required(missing: str) -> str:
    """`missing` as a skip reason; under CI, raise instead (CI installs what the browser tests need)."""
    if missing and os.environ.get("CI"):
        raise RuntimeError(missing)
    return missing


def chrome():
    """A headless Chromium WebDriver that keeps the console and network logs."""
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1600"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)
