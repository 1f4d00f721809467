"""Blind A/B review with the keyboard: a, b, t and s judge and move on; the verdicts reach the report."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from harness import assert_no_console_errors, quote, text_of, wait_until
from test_pages import demo_ids

REVIEWER = "Browser"


def progress(driver):
    element = driver.find_element(By.ID, "review-progress")
    return element, int(element.get_attribute("data-reviewed")), int(element.get_attribute("data-remaining"))


def test_review_keys_record_verdicts_that_reach_the_report(ctx):
    run = demo_ids(ctx)["run"]
    a, b = ctx.variants(run)[:2]
    before = [pair for pair in ctx.api_ok(f"/api/v1/runs/{quote(run)}/report")["human_review"]
              if any(reviewer["reviewer"] == REVIEWER for reviewer in pair["reviewers"])]
    assert not before, f"{REVIEWER} has verdicts before the test: {before}"
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}/review?reviewer={REVIEWER}&a={quote(a)}&b={quote(b)}")
        ctx.screenshot(driver, "review-first-case")
        _, reviewed, remaining = progress(driver)
        assert reviewed == 0, f"a new reviewer starts with {reviewed} judged"
        seen_cases = []
        for key in "abts":
            seen_cases.append(driver.find_element(By.CSS_SELECTOR, '#review-form input[name="case_id"]').get_attribute("value"))
            assert text_of(driver, "#left-output") and text_of(driver, "#right-output"), "the item shows no answers"
            ActionChains(driver).send_keys(key).perform()
            wait_until(driver, lambda d: progress(d)[1] == reviewed + 1, 30, f"the verdict of key {key!r} to be counted")
            _, now_reviewed, now_remaining = progress(driver)
            assert now_remaining == remaining - 1, f"after {key!r}: {now_remaining} to go, expected {remaining - 1}"
            reviewed, remaining = now_reviewed, now_remaining
            assert f"reviewer={REVIEWER}" in driver.current_url, f"the review lost its reviewer: {driver.current_url}"
        assert len(set(seen_cases)) == 4, f"the keys judged the cases {seen_cases}, expected four different ones"
        assert_no_console_errors(driver, driver.current_url)

    report = ctx.api_ok(f"/api/v1/runs/{quote(run)}/report")
    pairs = [pair for pair in report["human_review"] if {pair["variant_a"], pair["variant_b"]} == {a, b}]
    assert len(pairs) == 1, f"the report's human_review has no single entry for {a} vs {b}: {report['human_review']}"
    mine = [reviewer for reviewer in pairs[0]["reviewers"] if reviewer["reviewer"] == REVIEWER]
    assert len(mine) == 1, f"the report lists no reviewer {REVIEWER}: {pairs[0]['reviewers']}"
    counts = mine[0]
    assert counts["cases"] == 3, f"a, b and t judge three cases, the report counts {counts['cases']}: {counts}"
    assert counts["skipped"] == 1, f"s skips one case, the report counts {counts['skipped']} skipped: {counts}"
    assert counts["ties"] == 1, f"t is one tie, the report counts {counts['ties']}: {counts}"
    assert counts["wins"] + counts["losses"] == 2, f"a and b each prefer one side: {counts}"

    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        section = driver.find_elements(By.ID, "human-review")
        assert section, "the run page shows no Human review section after the verdicts"
        assert f"{a}" in section[0].text and f"{b}" in section[0].text, f"the section does not name the pair: {section[0].text!r}"
        ctx.screenshot(driver, "run-with-human-review")
        assert_no_console_errors(driver, driver.current_url)
