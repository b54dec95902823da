"""The Inlet Console in headless Chromium against a real server, worker and database (run by scripts/console-test).

The scenarios run in file order and build on each other: sign in, create jobs, a source and subscriptions in the
console, test a filter, see a dispatched run succeed without a reload, make a run die and retry it, and check that
a hostile payload renders as text. Every assertion waits for the page state with WebDriverWait; nothing sleeps.
"""
import http.server
import json
import os
import threading
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

INLET = os.environ["INLET_URL"]
KEY = os.environ["INLET_KEY"]
ADMIN = os.environ["INLET_ADMIN_TOKEN"]
SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS", ".data/console-test/screenshots")
TIMEOUT = 45  # generous: a loaded 2-core machine
HOSTILE = "<img src=x onerror=alert(1)>"
dispatched = {}  # event ids the scenarios share


class Receiver:
    """The HTTP jobs' target: /ok answers 200; /flaky answers 500 while `failing` is set."""

    def __init__(self):
        self.failing = True
        self.deliveries = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.deliveries.append((self.path, json.loads(body or b"{}")))
                failing = self.path == "/flaky" and receiver.failing
                self.send_response(500 if failing else 200)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"receiver says no" if failing else b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def call(method, path, body=None, key=KEY):
    request = urllib.request.Request(
        INLET + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def wait(driver, condition, timeout=TIMEOUT, message=""):
    return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
        condition, message)


def text_present(locator, text):
    return EC.text_to_be_present_in_element(locator, text)


def heading(driver, text):
    wait(driver, text_present((By.CSS_SELECTOR, "main h1"), text), message=f"heading {text!r}")


def go(driver, hash_route, title):
    driver.get(f"{INLET}/console#{hash_route}")
    heading(driver, title)


def screenshot(driver, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SCREENSHOTS, f"{name}.png"))


def fill(driver, form, name, value):
    element = form.find_element(By.NAME, name)
    if element.tag_name == "select":
        Select(element).select_by_visible_text(value)
        return
    element.clear()
    element.send_keys(value)


def field_error(form, name):
    control = form.find_element(By.NAME, name)
    return form.find_element(By.ID, f"{control.get_attribute('id')}-error")


def no_console_errors(driver):
    """Script errors and policy violations; the failed loads of the wrong-key and key-kind checks are expected."""
    return [entry for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]


# --- Scenarios ------------------------------------------------------------------------------------------------


def test_a_wrong_key_shows_a_clear_message(browser):
    browser.get(f"{INLET}/console")
    key = wait(browser, EC.element_to_be_clickable((By.NAME, "key")))
    key.send_keys("inl_this_key_does_not_exist_0123456789abcdef", Keys.ENTER)
    alert = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "#sign-in-error [role=alert]")))
    assert "not accepted" in alert.text
    assert browser.find_element(By.NAME, "key").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "main-nav").get_attribute("hidden") is not None
    screenshot(browser, "sign-in-wrong-key")


def test_signing_in_with_the_project_key_by_keyboard_shows_the_overview(browser):
    key = browser.find_element(By.NAME, "key")
    key.clear()
    key.send_keys(KEY, Keys.ENTER)  # Enter submits: the form works from the keyboard
    heading(browser, "Overview")
    assert browser.find_element(By.ID, "main-nav").is_displayed()
    assert KEY not in browser.current_url
    stored = browser.execute_script("return [sessionStorage.getItem('inlet.key'), localStorage.length, document.cookie]")
    assert stored == [KEY, 0, ""]
    wait(browser, text_present((By.CSS_SELECTOR, "main"), "No jobs yet"))


def test_creating_jobs_a_source_and_subscriptions(browser, receiver):
    for name, path, attempts in (("deliver", "/ok", "3"), ("flaky", "/flaky", "1")):
        go(browser, "/jobs", "Jobs")
        form = browser.find_element(By.CSS_SELECTOR, "form[aria-labelledby=new-job-heading]")
        fill(browser, form, "name", name)
        fill(browser, form, "url", receiver.url + path)
        fill(browser, form, "max_attempts", attempts)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        heading(browser, name)
        secret = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "code.secret")))
        assert secret.text.startswith("whsec_")

    go(browser, "/sources", "Sources")
    form = browser.find_element(By.CSS_SELECTOR, "form[aria-labelledby=new-source-heading]")
    fill(browser, form, "name", "orders")
    fill(browser, form, "description", "Orders from the shop")
    fill(browser, form, "schema", '{"type": "object", "required": ["type"]}')
    fill(browser, form, "signature_scheme", "Standard Webhooks")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    heading(browser, "orders")
    assert wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "code.secret"))).text.startswith("whsec_")
    ingest_url = browser.find_element(By.ID, "ingest-url").get_attribute("value")
    assert ingest_url.startswith(f"{INLET}/v1/ingest/")

    # The schema editor: an invalid schema is refused and the message shows under the field.
    settings = browser.find_element(By.CSS_SELECTOR, "form[aria-labelledby=settings-heading]")
    fill(browser, settings, "schema", '{"type": 5}')
    settings.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = field_error(settings, "schema")
    wait(browser, lambda _: error.is_displayed() and error.text, message="schema error in place")
    assert settings.find_element(By.NAME, "schema").get_attribute("aria-invalid") == "true"
    fill(browser, settings, "schema", "{not json")
    settings.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, lambda _: "Not valid JSON" in field_error(settings, "schema").text)
    fill(browser, settings, "schema", '{"type": "object", "required": ["type"]}')
    settings.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, text_present((By.CSS_SELECTOR, "form[aria-labelledby=settings-heading] .notice"), "Saved"))

    subscribe = browser.find_element(By.CSS_SELECTOR, "form[aria-labelledby=subscribe-heading]")
    for job, pattern in (("deliver", '{"type": ["order.created"]}'), ("flaky", '{"type": ["order.failed"]}')):
        fill(browser, subscribe, "target_id", job)
        fill(browser, subscribe, "filter_expr", pattern)
        subscribe.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(browser, text_present((By.CSS_SELECTOR, "section[aria-labelledby=subscriptions-heading] tbody"), job))
    rows = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=subscriptions-heading] tbody tr")
    assert len(rows) == 2
    screenshot(browser, "source")


def test_the_filter_tester_explains_matches_and_misses(browser):
    tester = browser.find_element(By.CSS_SELECTOR, "form[aria-labelledby=tester-heading]")
    fill(browser, tester, "payload", '{"type": "order.created", "total": 12}')
    tester.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, text_present((By.ID, "tester-result"), "1 of 2 subscriptions match"))
    result = browser.find_element(By.ID, "tester-result")
    matched = result.find_element(By.CSS_SELECTOR, "li.match")
    missed = result.find_element(By.CSS_SELECTOR, "li.no-match")
    assert "deliver" in matched.text and "matches" in matched.text
    assert "flaky" in missed.text and "does not match" in missed.text
    assert '"order.created"' in missed.text  # the actual value that failed the pattern
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", result)
    screenshot(browser, "filter-tester")


def test_a_dispatched_run_shows_up_and_succeeds_without_a_reload(browser, receiver):
    go(browser, "/runs", "Runs")
    browser.execute_script("window.__noReload = true")
    answer = call("POST", "/v1/events/dispatch", {"source": "orders", "payload": {"type": "order.created", "n": 1}})
    assert answer["dispatched"] == 1
    dispatched["created"] = answer["event_id"]
    wait(browser, text_present((By.CSS_SELECTOR, "main tbody"), "succeeded"), message="the run succeeds on the page")
    assert browser.execute_script("return window.__noReload") is True
    row = browser.find_element(By.CSS_SELECTOR, "main tbody tr")
    assert "deliver" in row.text
    assert any(path == "/ok" for path, _ in receiver.deliveries)
    screenshot(browser, "runs")


def test_a_dead_run_is_retried_from_the_console(browser, receiver):
    receiver.failing = True
    call("POST", "/v1/events/dispatch", {"source": "orders", "payload": {"type": "order.failed"}})
    go(browser, "/overview", "Overview")
    link = wait(browser, EC.element_to_be_clickable(
        (By.CSS_SELECTOR, "section[aria-labelledby=dead-heading] tbody a")), message="the dead run on the overview")
    wait(browser, text_present((By.CSS_SELECTOR, "section[aria-labelledby=jobs-heading] tbody"), "flaky"))
    screenshot(browser, "overview")
    link.click()
    heading(browser, "Run")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".run-status").get_attribute("data-status") == "dead")
    attempts = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "section[aria-labelledby=attempts-heading] tbody")))
    assert "500" in attempts.text and "receiver says no" in attempts.text
    screenshot(browser, "run-dead")
    receiver.failing = False
    browser.execute_script("window.__noReload = true")
    retry = browser.find_element(By.XPATH, "//button[normalize-space()='Retry run']")
    retry.send_keys(Keys.ENTER)  # keyboard activation
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".run-status").get_attribute("data-status") == "succeeded",
         message="the retried run succeeds")
    assert browser.execute_script("return window.__noReload") is True
    assert len(browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=attempts-heading] tbody tr")) == 2


def test_bulk_retry_of_a_jobs_dead_runs(browser, receiver):
    receiver.failing = True
    for n in range(2):
        call("POST", "/v1/events/dispatch", {"source": "orders", "payload": {"type": "order.failed", "n": n}})
    flaky = next(job["id"] for job in call("GET", "/v1/jobs") if job["name"] == "flaky")
    go(browser, f"/runs?status=dead&job_id={flaky}", "Runs")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "main tbody tr")) == 2, message="two dead runs")
    receiver.failing = False
    browser.find_element(By.XPATH, "//button[normalize-space()='Retry all dead runs of this job']").click()
    wait(browser, EC.alert_is_present()).accept()
    wait(browser, text_present((By.CSS_SELECTOR, "main .notice"), "2 dead runs queued again"))
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "main p.empty")), message="no dead run left")
    assert browser.find_element(By.CSS_SELECTOR, "main p.empty").text == "No runs match."


def test_replay_with_a_dry_run_preview(browser):
    go(browser, f"/events/{dispatched['created']}", "Event")
    browser.find_element(By.XPATH, "//button[normalize-space()='Preview replay (dry run)']").click()
    wait(browser, text_present((By.ID, "replay-result"), "A replay would start 1 run: deliver."))
    assert "1 of 2 subscriptions match" in browser.find_element(By.ID, "replay-result").text
    runs = len(browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=runs-heading] tbody tr"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Replay']").click()
    wait(browser, EC.alert_is_present()).accept()
    wait(browser, text_present((By.ID, "replay-result"), "Replayed: 1 run started."))
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=runs-heading] tbody tr"))
         == runs + 1, message="the replayed run is listed")


def test_a_hostile_payload_renders_as_text(browser):
    answer = call("POST", "/v1/events/dispatch", {"source": "orders", "payload": {
        "type": "order.note", "note": HOSTILE, "html": "<script>window.__xss = 1</script><b>bold</b>"}})
    go(browser, f"/events/{answer['event_id']}", "Event")
    payload = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "pre.json")))
    assert HOSTILE in payload.text
    assert "<b>bold</b>" in payload.text
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main b, main script") == []
    assert browser.execute_script("return window.__xss") is None
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    screenshot(browser, "event")


def test_events_filter_by_way_of_arrival(browser):
    everything = len(call("GET", "/v1/events"))
    through_the_api = len(call("GET", "/v1/events?via=api"))
    assert through_the_api >= 5
    go(browser, "/events", "Events")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "main tbody tr")) == everything)
    screenshot(browser, "events")
    filters = browser.find_element(By.CSS_SELECTOR, "form.filters")
    fill(browser, filters, "via", "Webhook (ingest)")
    wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, "main p.empty")))
    assert "via=ingest" in browser.current_url
    fill(browser, filters, "via", "API (dispatch)")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "main tbody tr")) == through_the_api)


def test_jobs_page_and_a_narrow_screen(browser):
    # From the keyboard: Enter on a menu link opens the page and puts focus on its heading.
    browser.find_element(By.CSS_SELECTOR, "#main-nav a[data-section=jobs]").send_keys(Keys.ENTER)
    heading(browser, "Jobs")
    wait(browser, lambda d: d.execute_script("return document.activeElement.tagName") == "H1",
         message="focus on the new page's heading")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "main tbody tr")) == 2)
    screenshot(browser, "jobs")
    go(browser, "/sources", "Sources")
    screenshot(browser, "sources")
    browser.set_window_size(390, 844)
    try:
        go(browser, "/overview", "Overview")
        wait(browser, text_present((By.CSS_SELECTOR, "section[aria-labelledby=jobs-heading] tbody"), "deliver"))
        # Nothing but the tables' own scroll areas is wider than the screen.
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        screenshot(browser, "overview-390")
    finally:
        browser.set_window_size(1280, 900)


def test_the_admin_token_gets_a_project_switcher(browser):
    browser.find_element(By.ID, "sign-out").click()
    key = wait(browser, EC.element_to_be_clickable((By.NAME, "key")))
    assert browser.execute_script("return sessionStorage.getItem('inlet.key')") is None
    key.send_keys(ADMIN, Keys.ENTER)
    heading(browser, "Overview")
    switcher = wait(browser, EC.visibility_of_element_located((By.ID, "project-switcher")))
    wait(browser, lambda _: any("console-test" in option.text for option in Select(switcher).options))
    wait(browser, text_present((By.CSS_SELECTOR, "section[aria-labelledby=jobs-heading] tbody"), "deliver"))


def test_the_page_logged_no_errors(browser):
    assert no_console_errors(browser) == []
