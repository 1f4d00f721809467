"""What the browser tests share: the server under test, its JSON API, the repository, headless Chromium.

A test is a function `test_NAME(ctx)` taking a ``Context``. It opens browsers with
``Context.browser()``, reads the API with ``Context.api()``, runs `promptlab` with
``Context.promptlab()`` and starts long-lived programs with ``Context.start()``, which stops them
when the test run ends (also on Ctrl-C or SIGTERM from scripts/browser-tests.sh).
"""
import base64
import contextlib
import os
import pathlib
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# The suites' shared helpers (Tests/harness/script_tests.py).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "harness"))
from script_tests import StartsProcesses, child_environment, parse_json, served_url, wait_for  # noqa: E402,F401


CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# The address every browser asks for by itself; the app serves no icon (see test_pages.py).
FAVICON = "/favicon.ico"


class Context(StartsProcesses):
    """The server under test and everything the tests need around it."""

    def __init__(self, url, repo, bin_dir, screenshots, work):
        self.url = url.rstrip("/")
        self.repo = pathlib.Path(repo)
        self.bin_dir = pathlib.Path(bin_dir)
        self.screenshots = pathlib.Path(screenshots)
        self.work = pathlib.Path(work)
        self.processes = []
        self.started = 0
        self.cache = {}

    # MARK: - The JSON API

    def api(self, path, base=None, headers=None, data=None, method=None):
        """A JSON API answer as `(status, document)`; error statuses are answers too."""
        request = urllib.request.Request((base or self.url) + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, parse_json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, parse_json(error.read())

    def api_ok(self, path):
        status, document = self.api(path)
        assert status == 200, f"GET {path} answered {status}: {document}"
        return document

    # MARK: - Runs and prompts of the demo repository

    def demo_run(self, experiment):
        """The newest run of `experiment`."""
        runs = self.api_ok("/api/v1/runs?experiment=" + quote(experiment))["runs"]
        assert runs, f"the demo has no run of {experiment}"
        return runs[0]["run"]

    def variants(self, run):
        return self.api_ok(f"/api/v1/runs/{quote(run)}/cases?per_page=1")["variants"]

    def prompt_log(self, name):
        return self.api_ok(f"/api/v1/prompts/{quote(name)}/log")["versions"]

    def promptlab(self, *arguments, env=None, check=True):
        """Runs the `promptlab` under test in the repository; returns the finished process."""
        process = subprocess.run(
            [str(self.bin_dir / "promptlab"), *arguments], cwd=self.repo, env=child_environment(env),
            capture_output=True, text=True, timeout=300)
        if check:
            assert process.returncode == 0, (
                f"promptlab {' '.join(arguments)} exited with {process.returncode}:\n{process.stdout}\n{process.stderr}")
        return process

    def git(self, *arguments):
        process = subprocess.run(["git", "-C", str(self.repo), *arguments], capture_output=True, text=True, timeout=60)
        assert process.returncode == 0, f"git {' '.join(arguments)} failed: {process.stderr}"
        return process.stdout

    # MARK: - Programs started for a test

    def serve(self, repo, env=None):
        """Starts another `promptlab serve --port 0` on `repo`; returns `(process, url)`."""
        output = self.work / f"serve-{self.started + 1}.out"
        with open(output, "w") as sink:
            process = self.start([str(self.bin_dir / "promptlab"), "serve", "--port", "0", "-C", str(repo)],
                                 env=env, stdout=sink)
        url = wait_for(lambda: served_url(output, process), 30, "promptlab serve to print its address")
        return process, url

    # MARK: - Browsers

    @contextlib.contextmanager
    def browser(self):
        """A fresh headless Chromium (own cookies, own console log), closed afterwards."""
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                         "--hide-scrollbars", "--disable-gpu", "--no-first-run", "--disable-extensions"):
            options.add_argument(argument)
        options.binary_location = CHROMIUM
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()

    def open(self, driver, path):
        """Loads a page of the server (a path) or any URL, after clearing the console log."""
        driver.get_log("browser")
        driver.get(path if "://" in path else self.url + path)
        wait_until(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, "the page to load")

    def screenshot(self, driver, name):
        """The whole page, 1400 pixels wide, as SCREENSHOTS/NAME.png."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        height = max(400, min(int(height or 1000), 16000))
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1400, "height": height, "deviceScaleFactor": 1, "mobile": False})
        try:
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            path.write_bytes(base64.b64decode(shot["data"]))
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return path


# MARK: - Checks on a page


def console_errors(driver, ignore_favicon=True):
    """The SEVERE console entries since the last look (script errors, failed loads, CSP violations)."""
    entries = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    if ignore_favicon:
        entries = [entry for entry in entries if FAVICON not in entry.get("message", "")]
    return [entry["message"] for entry in entries]


def assert_no_console_errors(driver, page):
    errors = console_errors(driver)
    assert not errors, f"{page}: the browser console reports errors:\n  " + "\n  ".join(errors)


def assert_no_alert(driver, page):
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
    except NoAlertPresentException:
        return
    raise AssertionError(f"{page}: a script ran and opened an alert ({text!r})")


def text_of(driver, selector="body"):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def wait_until(driver, condition, seconds, what):
    """Polls `condition(driver)` until it is truthy; fails saying what was awaited.

    Elements missing or replaced while a page (re)loads, and their text not yet a number, count as
    "not yet".
    """
    def condition_or_error_page(driver):
        refusal = error_page(driver)
        if refusal:
            raise AssertionError(f"waiting for {what}, the server answered with an error page: {refusal}")
        return condition(driver)

    wait = WebDriverWait(driver, seconds, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException, ValueError))
    return wait.until(condition_or_error_page, f"timed out after {seconds}s waiting for {what}")


def error_page(driver):
    """`STATUS TITLE: message` when the browser shows one of the app's error pages (titled `403 Forbidden · …`)."""
    title = driver.title
    if not re.match(r"[45]\d\d ", title):
        return None
    message = driver.find_elements(By.CSS_SELECTOR, "main")
    return f"{title.split(' · ')[0]} at {driver.current_url}: " + (message[0].text.replace("\n", " ")[:300] if message else "")


def quote(text):
    """One path segment or query value, as the app's links encode it (`support/triage` → `support%2Ftriage`)."""
    return urllib.parse.quote(text, safe="")
