"""Every page loads in a real browser without a console error (script errors, failed loads and
Content-Security-Policy violations all land there), shows its key parts, and is screenshotted."""
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import FAVICON, assert_no_console_errors, quote, text_of, wait_until

PROMPT = "/prompts/" + quote("support/triage")

# (name, path with {placeholders} from demo_ids, selectors that must be on the page)
PAGES = [
    ("overview", "/", ["#prompts-table tr.prompt-row", "#runs-table tr.run-row"]),
    ("prompts", "/prompts", ["#prompts-table tr.prompt-row a.prompt-link"]),
    ("prompt", PROMPT, ["#timeline li.version", "#render-form", "#diff-form", "#label-form", "#rollback-form"]),
    ("prompt-diff", PROMPT + "/diff?from=v1&to=v2", ["#diff", "#diff ins"]),
    ("runs", "/runs", ["#runs-table tr.run-row a.run-link"]),
    ("run", "/runs/{run}", ["table.variant-table", "#verdict", "svg.chart", "#case-grid tr.case-row", "#grid-filters",
                            "#pager", "#live-status", "#cells-done"]),
    ("case", "/runs/{run}/cases/{case}", ["#case-detail .variant-detail"]),
    ("review-start", "/runs/{run}/review", ["#review-start #reviewer"]),
    ("review", "/runs/{run}/review?reviewer=Screenshot&a={a}&b={b}", ["#review #left-output", "#review #right-output",
                                                                       "#review-progress"]),
    ("compare-start", "/compare", ["#compare-form"]),
    ("compare", "/compare?before={before}&after={after}", ["#comparison .variant-change"]),
    ("history", "/experiments/triage-release-check/history", ["#history svg.chart"]),
    ("label-confirm", PROMPT + "/label?label=staging&version=v2", ["#confirm-form #confirm"]),
    ("rollback-confirm", PROMPT + "/rollback?to=v1&label=production", ["#confirm-form #confirm"]),
]

# The policy of design.md, sent with every response.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def demo_ids(ctx):
    """Run ids and names of the demo, plus a second release-check run so /compare has changes to show.

    The demo's release check compared production (v2) with the trimmed v3; after its rollback the
    candidate is v2's content again, so running the check once more turns many cases around.
    """
    if "demo" not in ctx.cache:
        run = ctx.demo_run("triage-versions")
        before = ctx.demo_run("triage-release-check")
        ctx.promptlab("run", "experiments/triage-release-check.yaml")
        after = ctx.demo_run("triage-release-check")
        assert after != before, "a second run of triage-release-check was not recorded"
        a, b = ctx.variants(run)[:2]
        ctx.cache["demo"] = {"run": run, "case": "t001", "a": quote(a), "b": quote(b), "before": before, "after": after}
    return ctx.cache["demo"]


def page_loads_cleanly(ctx, name, path, selectors):
    url = path.format(**demo_ids(ctx))
    with ctx.browser() as driver:
        ctx.open(driver, url)
        ctx.screenshot(driver, name)
        assert driver.find_elements(By.CSS_SELECTOR, "main#content"), f"{url}: no <main id=content> (title {driver.title!r})"
        for selector in selectors:
            assert driver.find_elements(By.CSS_SELECTOR, selector), f"{url}: nothing matches {selector!r}"
        scripts = driver.execute_script("return Array.from(document.scripts).map(s => s.src || ('inline: ' + s.text))")
        assert scripts == [ctx.url + "/static/app.js"], f"{url}: expected only /static/app.js, found scripts {scripts}"
        assert_no_console_errors(driver, url)


def test_page_loads_without_console_errors(ctx, name, path, selectors):
    page_loads_cleanly(ctx, name, path, selectors)


test_page_loads_without_console_errors.cases = [(name, (name, path, selectors)) for name, path, selectors in PAGES]


def test_every_page_sends_the_security_headers(ctx):
    ids = demo_ids(ctx)
    for name, path, _ in PAGES + [("static", "/static/app.js", []), ("api", "/api/v1/runs", [])]:
        url = ctx.url + path.format(**ids)
        with urllib.request.urlopen(url, timeout=60) as response:
            headers = response.headers
            assert headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, (
                f"{name} ({url}): Content-Security-Policy is {headers.get('Content-Security-Policy')!r}")
            assert headers.get("X-Content-Type-Options") == "nosniff", f"{name}: X-Content-Type-Options missing"
            # same-origin: other sites get no referrer, and the app's own form posts keep their Origin.
            assert headers.get("Referrer-Policy") == "same-origin", (
                f"{name}: Referrer-Policy is {headers.get('Referrer-Policy')!r}")


def test_pages_have_an_icon(ctx):
    """Browsers ask every site for /favicon.ico unless a page names its icon; a 404 there is a
    console error on every page (the other tests leave that one error to this test)."""
    with ctx.browser() as driver:
        ctx.open(driver, "/")
        declared = driver.find_elements(By.CSS_SELECTOR, "link[rel~=icon]")
    if declared:
        return
    status, _ = ctx.api(FAVICON)
    assert status == 200, (
        f"the pages name no icon and GET {FAVICON} answers {status}, so every page logs a console error "
        "('Failed to load resource'); declare one (e.g. <link rel=icon href=\"data:,\">) or serve /favicon.ico")


def test_prompt_page_renders_with_the_form_values(ctx):
    ticket = "My parcel from the March sale never arrived"
    with ctx.browser() as driver:
        ctx.open(driver, PROMPT)
        field = driver.find_element(By.CSS_SELECTOR, '#render-form textarea[name="var.ticket"]')
        field.clear()
        field.send_keys(ticket)
        driver.find_element(By.CSS_SELECTOR, "#render-form button[type=submit]").click()
        wait_until(driver, lambda d: ticket in text_of(d, "#render-output"), 30, "the rendered prompt")
        assert "render=1" in driver.current_url, f"the render form did not submit: {driver.current_url}"
        assert driver.find_elements(By.CSS_SELECTOR, "#render-output .message-block"), "no rendered message shown"
        ctx.screenshot(driver, "prompt-rendered")
        assert_no_console_errors(driver, driver.current_url)


def test_diff_form_shows_the_changed_words(ctx):
    with ctx.browser() as driver:
        ctx.open(driver, PROMPT)
        Select(driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=from]")).select_by_value("v1")
        Select(driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=to]")).select_by_value("v2")
        driver.find_element(By.CSS_SELECTOR, "#diff-form button[type=submit]").click()
        wait_until(driver, lambda d: d.find_elements(By.ID, "diff"), 30, "the diff page")
        assert "from=v1" in driver.current_url and "to=v2" in driver.current_url, driver.current_url
        added = driver.find_elements(By.CSS_SELECTOR, "#diff .diff-side.new ins")
        assert added, "v1 → v2 adds 40 examples, but the diff marks no added words"
        assert driver.find_elements(By.CSS_SELECTOR, "#diff .diff-field"), "the front matter changes are not listed"
        assert_no_console_errors(driver, driver.current_url)


def test_history_chart_puts_later_runs_to_the_right(ctx):
    """Each variant's line runs left to right in time: the API lists points oldest first, so the
    x coordinates of a series' line must not go back."""
    demo_ids(ctx)  # two runs of triage-release-check, whose candidate changed prompt version between them
    with ctx.browser() as driver:
        ctx.open(driver, "/experiments/triage-release-check/history")
        lines = driver.execute_script(
            "return Array.from(document.querySelectorAll('#history svg.chart polyline.chart-line'))"
            ".map(line => line.getAttribute('points'))")
        assert lines, "the history chart draws no line"
        for points in lines:
            xs = [float(pair.split(",")[0]) for pair in points.split()]
            assert xs == sorted(xs), (
                f"a series' line goes back in time (x {xs}, points {points!r}): the chart's columns are keyed by "
                "'prompt · date' rather than by run, so a later run can sit left of an earlier one")


def test_case_page_names_graders_without_empty_parentheses(ctx):
    """A grade shows its judge order in parentheses, `(AB)`, only when it has one."""
    ids = demo_ids(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, "/runs/{run}/cases/{case}".format(**ids))
        badges = [badge.text for badge in driver.find_elements(By.CSS_SELECTOR, "#case-detail .grade .badge")]
        assert badges, "the case page shows no grades"
        empty = [badge for badge in badges if badge.rstrip().endswith("()")]
        assert not empty, f"grades without a judge order are shown with empty parentheses: {empty}"


def test_one_file_html_report_filters_its_cases(ctx):
    """The demo's `promptlab report --format html` file: opens from disk under its own policy, and its
    inline script filters the case grid."""
    report = ctx.repo.parent / "triage-versions.html"
    assert report.exists(), f"the demo wrote no {report}"
    with ctx.browser() as driver:
        ctx.open(driver, report.as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row")
        shown = driver.find_element(By.ID, "report-shown")
        assert rows and shown.text == str(len(rows)), f"the report says {shown.text} shown, it has {len(rows)} rows"
        ctx.screenshot(driver, "report-html")
        assert_no_console_errors(driver, report.as_uri())
        driver.find_element(By.CSS_SELECTOR, '#report-filters input[name="failing"]').click()
        wait_until(driver, lambda d: int(d.find_element(By.ID, "report-shown").text) < len(rows), 10,
                   "the failing filter to hide passing cases")
        visible = [row for row in rows if row.is_displayed()]
        assert len(visible) == int(shown.text), f"{len(visible)} rows visible, the report says {shown.text}"
        assert all("failing" in row.get_attribute("class").split() for row in visible), "a passing case is still shown"
        assert_no_console_errors(driver, report.as_uri())
