"""Model outputs, case data, prompt text and commit messages are shown as text, never run as markup.

A run whose `exec/` model answers with HTML and script payloads, over cases whose inputs, expected
values and even one case id are payloads, from a prompt whose body and commit message hold them.
Every page that shows them (and the one-file HTML report) must show the payloads as visible text,
build no element from them, run nothing and log no console error (a Content-Security-Policy
violation from a script that slipped through escaping would be one).
"""
import json
import sys

from selenium.webdriver.common.by import By

from harness import assert_no_alert, assert_no_console_errors, quote, text_of, wait_until

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
TEXTAREA = "</textarea>"
LINK = '<a href="javascript:alert(1)">x</a>'
MARKER = "<script>window.__xss=1</script>"
PAYLOADS = [SCRIPT, IMAGE, TEXTAREA, LINK, MARKER]

EXPERIMENT = "browser-xss"
PROMPT = "xss/echo"
ODD_CASE = 'q"><img src=x onerror=alert(1)>'
CASES = [
    {"id": "x1", "text": SCRIPT, "expected": IMAGE},
    {"id": "x2", "text": IMAGE + " " + LINK, "expected": TEXTAREA},
    {"id": "x3", "text": TEXTAREA + MARKER, "expected": LINK},
    {"id": ODD_CASE, "text": MARKER, "expected": SCRIPT},
]

# The model: answers every request with all the payloads, one a line.
MODEL = """\
import json, sys
json.load(sys.stdin)
print(json.dumps({"text": "\\n".join(%s), "input_tokens": 3, "output_tokens": 5}))
""" % json.dumps(PAYLOADS)


def xss_run(ctx):
    """Commits the payload prompt, runs the payload experiment once, and returns the run id (or the
    same failure to every test that needs it)."""
    if "xss" not in ctx.cache:
        try:
            ctx.cache["xss"] = make_xss_run(ctx)
        except AssertionError as error:
            ctx.cache["xss"] = error
    if isinstance(ctx.cache["xss"], AssertionError):
        raise AssertionError(f"preparing the payload run failed: {ctx.cache['xss']}")
    return ctx.cache["xss"]


def make_xss_run(ctx):
    model = ctx.work / "xss_model.py"
    model.write_text(MODEL)
    (ctx.repo / "xss").mkdir(exist_ok=True)
    (ctx.repo / "xss" / "echo.prompt").write_text(f"""\
---
description: Repeats its input, for the browser tests.
model: local/baseline
input:
  schema:
    text: string
---
Repeat this: {{{{text}}}} {SCRIPT}
""")
    ctx.promptlab("commit", PROMPT, "-m", f"Echo prompt {SCRIPT} {IMAGE}")
    data = ctx.repo / "experiments" / "data" / f"{EXPERIMENT}.jsonl"
    data.write_text("".join(json.dumps(case) + "\n" for case in CASES))
    (ctx.repo / "experiments" / f"{EXPERIMENT}.yaml").write_text(f"""\
name: {EXPERIMENT}
description: Outputs and cases full of markup, to check that every page escapes them.
model: "exec/{sys.executable} {model}"
control: first
variants:
  first: {PROMPT}
  second: {PROMPT}@v1
dataset: data/{EXPERIMENT}.jsonl
concurrency: 2
graders:
  - type: equals
  - {{type: contains, value: "<script>"}}
""")
    ctx.promptlab("run", f"experiments/{EXPERIMENT}.yaml")
    run = ctx.demo_run(EXPERIMENT)
    cases = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?per_page=500")["cases"]
    assert {case["case_id"] for case in cases} == {case["id"] for case in CASES}, [case["case_id"] for case in cases]
    for case in cases:
        for variant in case["variants"]:
            for response in variant["responses"]:
                missing = [payload for payload in PAYLOADS if payload not in (response["output"] or "")]
                assert not missing, f"case {case['case_id']} {variant['variant']}: the output lacks {missing}: {response}"
    return run


def assert_inert(ctx, driver, page, visible):
    """Nothing from the payloads became markup or ran, and `visible` payloads show as text."""
    assert_no_alert(driver, page)
    body = text_of(driver)
    missing = [payload for payload in visible if payload not in body]
    assert not missing, f"{page}: these payloads are not shown as text: {missing}"
    images = driver.execute_script("return Array.from(document.querySelectorAll('img[onerror]')).map(e => e.outerHTML)")
    assert not images, f"{page}: a payload became an <img> with onerror: {images}"
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
        ".filter(h => /^\\s*javascript:/i.test(h))")
    assert not links, f"{page}: a payload became a javascript: link: {links}"
    marker = driver.execute_script("return typeof window.__xss")
    assert marker == "undefined", f"{page}: an injected script ran (window.__xss is {marker})"
    assert_no_console_errors(driver, page)


def test_run_page_shows_payloads_as_text(ctx):
    run = xss_run(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}?per_page=500")
        ctx.screenshot(driver, "xss-run")
        assert_inert(ctx, driver, "the run page", PAYLOADS + [ODD_CASE])
        titles = driver.execute_script(
            "return Array.from(document.querySelectorAll('#case-grid [title]')).map(e => e.getAttribute('title'))")
        assert any(IMAGE in title for title in titles), f"the grade reasons in title attributes lost the payload: {titles[:4]}"


def test_case_pages_show_payloads_as_text(ctx):
    run = xss_run(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        links = {link.text: link.get_attribute("href") for link in driver.find_elements(By.CSS_SELECTOR, "a.case-link")}
        assert ODD_CASE in links, f"the grid has no link for the case id {ODD_CASE!r}: {list(links)}"
        for case_id in ("x1", ODD_CASE):
            ctx.open(driver, links[case_id])
            wait_until(driver, lambda d: d.find_elements(By.ID, "case-detail"), 30, f"case {case_id!r}")
            assert case_id in text_of(driver, "h1"), f"the case page for {case_id!r} is titled {text_of(driver, 'h1')!r}"
            ctx.screenshot(driver, f"xss-case-{'odd-id' if case_id == ODD_CASE else case_id}")
            assert_inert(ctx, driver, f"the page of case {case_id!r}", PAYLOADS)


def test_review_page_shows_payloads_as_text(ctx):
    run = xss_run(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}/review?reviewer={quote('<b>XSS</b>')}&a=first&b=second")
        assert driver.find_elements(By.ID, "left-output"), "the review page shows no case"
        ctx.screenshot(driver, "xss-review")
        assert_inert(ctx, driver, "the review page", PAYLOADS + ["<b>XSS</b>"])
        left = text_of(driver, "#left-output")
        assert all(payload in left for payload in PAYLOADS), f"the left answer lost payloads: {left!r}"


def test_prompt_pages_show_payloads_as_text(ctx):
    xss_run(ctx)
    with ctx.browser() as driver:
        ctx.open(driver, "/prompts")
        assert_inert(ctx, driver, "the prompt list (commit message)", [SCRIPT, IMAGE])
        ctx.open(driver, "/prompts/" + quote(PROMPT))
        assert_inert(ctx, driver, "the prompt page", [SCRIPT])
        field = driver.find_element(By.CSS_SELECTOR, '#render-form textarea[name="var.text"]')
        breakout = TEXTAREA + MARKER + IMAGE
        field.send_keys(breakout)
        driver.find_element(By.CSS_SELECTOR, "#render-form button[type=submit]").click()
        wait_until(driver, lambda d: breakout in text_of(d, "#render-output"), 30, "the rendered payload")
        value = driver.find_element(By.CSS_SELECTOR, '#render-form textarea[name="var.text"]').get_attribute("value")
        assert value == breakout, f"the textarea did not keep the value; it holds {value!r}"
        ctx.screenshot(driver, "xss-prompt-rendered")
        assert_inert(ctx, driver, "the rendered prompt page", [TEXTAREA, MARKER, IMAGE])


def test_html_report_shows_payloads_as_text(ctx):
    run = xss_run(ctx)
    report = ctx.work / "xss-report.html"
    report.write_text(ctx.promptlab("report", run, "--format", "html").stdout)
    with ctx.browser() as driver:
        ctx.open(driver, report.as_uri())
        assert driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row"), "the report has no case grid"
        ctx.screenshot(driver, "xss-report")
        assert_inert(ctx, driver, "the HTML report", PAYLOADS + [ODD_CASE])
        shown = driver.find_element(By.ID, "report-shown").text
        assert shown == str(len(CASES)), f"the report's script counts {shown!r} shown cases, expected {len(CASES)}"
