"""A server with PROMPTLAB_TOKEN: pages send you to /login, the API answers 401, the login form
opens a session, and writes still need the form's CSRF token and a same-site origin."""
import secrets
import urllib.parse

from selenium.webdriver.common.by import By

from harness import assert_no_console_errors, quote, text_of, wait_until

PROMPT = "/prompts/" + quote("support/triage")


def token_server(ctx):
    token = secrets.token_hex(16)
    _, url = ctx.serve(ctx.repo, env={"PROMPTLAB_TOKEN": token})
    return token, url


def log_in(ctx, driver, url, token, path="/runs"):
    ctx.open(driver, url + path)
    wait_until(driver, lambda d: d.find_elements(By.ID, "login-form"), 30, "the login form")
    driver.find_element(By.CSS_SELECTOR, '#login-form input[name="token"]').send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait_until(driver, lambda d: urllib.parse.urlsplit(d.current_url).path == path, 30, f"{path} after logging in")


def test_token_server_sends_visitors_to_the_login_page(ctx):
    token, url = token_server(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, url + "/runs?limit=5")
        address = urllib.parse.urlsplit(driver.current_url)
        assert address.path == "/login", f"without the token /runs showed {driver.current_url}, not /login"
        assert urllib.parse.parse_qs(address.query).get("next") == ["/runs?limit=5"], f"login lost the page: {address.query}"
        assert driver.find_elements(By.ID, "login-form"), "the login page has no #login-form"
        assert not driver.find_elements(By.ID, "runs-table"), "the runs table is shown without the token"
        ctx.screenshot(driver, "login")
        assert_no_console_errors(driver, driver.current_url)


def test_token_server_api_needs_the_token(ctx):
    token, url = token_server(ctx)
    status, problem = ctx.api("/api/v1/runs", base=url)
    assert status == 401, f"GET /api/v1/runs without the token answered {status}: {problem}"
    assert isinstance(problem, dict) and problem.get("status") == 401, f"the 401 is not a problem document: {problem}"
    status, _ = ctx.api("/api/v1/runs", base=url, headers={"Authorization": "Bearer " + "0" * 32})
    assert status == 401, f"a wrong bearer token was accepted ({status})"
    status, runs = ctx.api("/api/v1/runs", base=url, headers={"Authorization": "Bearer " + token})
    assert status == 200 and runs["runs"], f"the right bearer token was refused ({status}): {runs}"


def test_login_form_opens_a_session(ctx):
    token, url = token_server(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, url + "/login")
        driver.find_element(By.CSS_SELECTOR, '#login-form input[name="token"]').send_keys("not-the-token-at-all")
        driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait_until(driver, lambda d: d.find_elements(By.ID, "login-error"), 30, "the wrong-token message")
        driver.get_log("browser")  # the 401 of the refused login is logged as a failed load, rightly
        log_in(ctx, driver, url, token)
        assert driver.find_elements(By.CSS_SELECTOR, "#runs-table tr.run-row"), "logged in, /runs still shows no runs"
        cookies = {cookie["name"]: cookie for cookie in driver.get_cookies()}
        session = cookies.get("promptlab_session")
        assert session, f"no session cookie after logging in: {sorted(cookies)}"
        assert session["httpOnly"], "the session cookie is readable by scripts (not HttpOnly)"
        assert session.get("sameSite") == "Strict", f"the session cookie is SameSite={session.get('sameSite')}"
        assert token not in session["value"], "the session cookie holds the token itself"
        ctx.open(driver, url + PROMPT)
        assert driver.find_elements(By.ID, "timeline"), "logged in, the prompt page is not shown"
        assert_no_console_errors(driver, driver.current_url)


def test_writes_without_the_csrf_token_are_refused(ctx):
    token, url = token_server(ctx)
    with ctx.browser() as driver:
        log_in(ctx, driver, url, token, path=PROMPT)
        labels_before = ctx.api(f"/api/v1/prompts/{quote('support/triage')}/labels", base=url,
                                headers={"Authorization": "Bearer " + token})[1]["labels"]
        # The confirmation form's own POST, minus its csrf_token field, from the logged-in page.
        status = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {method: "POST", credentials: "same-origin",
                                 headers: {"Content-Type": "application/x-www-form-urlencoded"},
                                 body: "label=csrf-probe&version=v1&expected_commit=none"})
              .then(response => done(response.status), error => done(String(error)));
        """, url + PROMPT + "/label")
        assert status == 403, f"a form POST without csrf_token answered {status}, expected 403"
        status = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {method: "POST", credentials: "same-origin",
                                 headers: {"Content-Type": "application/x-www-form-urlencoded"},
                                 body: "csrf_token=" + "0".repeat(64) + "&label=csrf-probe&version=v1&expected_commit=none"})
              .then(response => done(response.status), error => done(String(error)));
        """, url + PROMPT + "/label")
        assert status == 403, f"a form POST with a forged csrf_token answered {status}, expected 403"
        driver.get_log("browser")  # the two refusals are logged as failed loads, as they should be
        labels_after = ctx.api(f"/api/v1/prompts/{quote('support/triage')}/labels", base=url,
                               headers={"Authorization": "Bearer " + token})[1]["labels"]
        assert labels_after == labels_before, "a refused POST still changed the labels"
        assert "csrf-probe" not in text_of(driver, "#labels")

    # Outside a browser: the bearer token is not enough for a form without its CSRF field, another
    # site's Origin is refused, and the JSON API takes JSON only.
    bearer = {"Authorization": "Bearer " + token}
    form = {**bearer, "Content-Type": "application/x-www-form-urlencoded"}
    status, _ = ctx.api(PROMPT + "/label", base=url, headers=form, method="POST",
                        data=b"label=csrf-probe&version=v1&expected_commit=none")
    assert status == 403, f"a form POST with the bearer token but no csrf_token answered {status}"
    json_post = {**bearer, "Content-Type": "application/json"}
    body = b'{"label": "csrf-probe", "version": "v1", "expected_commit": null}'
    status, _ = ctx.api(f"/api/v1/prompts/{quote('support/triage')}/labels", base=url, method="POST", data=body,
                        headers={**json_post, "Origin": "http://evil.example"})
    assert status == 403, f"an API POST from another origin answered {status}"
    status, _ = ctx.api(f"/api/v1/prompts/{quote('support/triage')}/labels", base=url, method="POST", data=body,
                        headers={**bearer, "Content-Type": "text/plain"})
    assert status == 415, f"an API POST as text/plain (a simple cross-site request) answered {status}"
    status, _ = ctx.api(f"/api/v1/prompts/{quote('support/triage')}/labels", base=url, method="POST", data=body,
                        headers={"Content-Type": "application/json"})
    assert status == 401, f"an API POST without the token answered {status}"
