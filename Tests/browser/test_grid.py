"""The run page's case grid: filters submitted through the form, text search and pagination."""
import re

from selenium.webdriver.common.by import By

from harness import assert_no_console_errors, quote, wait_until
from test_pages import demo_ids


def case_ids(driver):
    return [link.text for link in driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row a.case-link")]


def matching(driver):
    """`N` of the grid's 'N matching of M cases' line."""
    summary = driver.find_element(By.CSS_SELECTOR, ".pager-summary").text
    found = re.match(r"(\d+) matching of (\d+) cases", summary)
    assert found, f"unexpected pager summary {summary!r}"
    return int(found.group(1))


def submit_filters(driver):
    old = driver.find_element(By.CSS_SELECTOR, "#case-grid")
    driver.find_element(By.CSS_SELECTOR, "#grid-filters button[type=submit]").click()
    wait_until(driver, lambda d: not is_attached(old), 30, "the filtered page")


def is_attached(element):
    try:
        element.is_enabled()
        return True
    except Exception:  # StaleElementReferenceException: the page was replaced
        return False


def test_failing_filter_keeps_only_failing_cases(ctx):
    run = demo_ids(ctx)["run"]
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        before = matching(driver)
        driver.find_element(By.CSS_SELECTOR, '#grid-filters input[name="failing"]').click()
        submit_filters(driver)
        assert "failing=true" in driver.current_url, f"the filter was not submitted: {driver.current_url}"
        rows = driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row")
        assert rows, "no failing case shown, but the demo's zero-shot prompt fails many"
        not_failing = [row.find_element(By.CSS_SELECTOR, "a.case-link").text for row in rows
                       if "failing" not in row.get_attribute("class").split()]
        assert not not_failing, f"rows without class 'failing' after filtering: {not_failing}"
        after = matching(driver)
        assert after <= before, f"{after} cases match the failing filter, more than the {before} unfiltered"
        expected = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?failing=true&per_page=1")["page"]["matching"]
        assert after == expected, f"the page counts {after} failing cases, the API {expected}"
        assert driver.find_element(By.CSS_SELECTOR, '#grid-filters input[name="failing"]').is_selected(), \
            "the failing box is not checked on the filtered page"
        ctx.screenshot(driver, "run-filtered-failing")
        assert_no_console_errors(driver, driver.current_url)


def test_text_filter_finds_a_case_by_a_word_of_its_input(ctx):
    run = demo_ids(ctx)["run"]
    first = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?per_page=1")["cases"][0]
    text = " ".join(str(value) for value in first["variables"].values())
    word = max(re.findall(r"[A-Za-z]{4,}", text), key=len)
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        field = driver.find_element(By.CSS_SELECTOR, '#grid-filters input[name="q"]')
        field.send_keys(word)
        submit_filters(driver)
        ids = case_ids(driver)
        assert first["case_id"] in ids, f"searching {word!r} did not find case {first['case_id']} (found {ids})"
        for row in driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row"):
            assert word.lower() in row.text.lower(), f"row without {word!r}: {row.text[:200]!r}"
        expected = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?q={quote(word)}&per_page=1")["page"]["matching"]
        assert matching(driver) == expected, f"the page finds {matching(driver)} cases with {word!r}, the API {expected}"
        assert driver.find_element(By.CSS_SELECTOR, '#grid-filters input[name="q"]').get_attribute("value") == word
        assert_no_console_errors(driver, driver.current_url)


def test_pager_walks_through_all_cases(ctx):
    run = demo_ids(ctx)["run"]
    total = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?per_page=1")["total_cases"]
    assert total > 50, f"the demo run has {total} cases; the pager test needs more than one page of 50"
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        seen = []
        pages = 0
        while True:
            ids = case_ids(driver)
            assert 0 < len(ids) <= 50, f"page {pages + 1} shows {len(ids)} cases"
            assert not set(ids) & set(seen), f"page {pages + 1} repeats cases {sorted(set(ids) & set(seen))}"
            seen += ids
            pages += 1
            links = driver.find_elements(By.ID, "pager-next")
            if not links:
                break
            assert pages < 10, "the pager never ends"
            old = driver.find_element(By.ID, "case-grid")
            links[0].click()
            wait_until(driver, lambda d: not is_attached(old), 30, "the next page")
            assert f"page={pages + 1}" in driver.current_url, driver.current_url
            assert driver.find_elements(By.ID, "pager-previous"), f"page {pages + 1} has no link back"
        assert len(seen) == total, f"the pages showed {len(seen)} of {total} cases"
        assert pages == -(-total // 50), f"{pages} pages for {total} cases at 50 a page"


def test_pager_keeps_the_filters(ctx):
    run = demo_ids(ctx)["run"]
    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}?failing=true&per_page=10")
        assert matching(driver) > 10, "need more than one page of 10 failing cases"
        first_page = case_ids(driver)
        assert len(first_page) == 10, f"per_page=10 shows {len(first_page)} rows"
        old = driver.find_element(By.ID, "case-grid")
        driver.find_element(By.ID, "pager-next").click()
        wait_until(driver, lambda d: not is_attached(old), 30, "page 2")
        url = driver.current_url
        assert "failing=true" in url and "per_page=10" in url and "page=2" in url, f"the next link lost the filters: {url}"
        rows = driver.find_elements(By.CSS_SELECTOR, "#case-grid tr.case-row")
        assert rows and all("failing" in row.get_attribute("class").split() for row in rows), \
            "page 2 of the failing filter shows cases that do not fail"
        assert not set(case_ids(driver)) & set(first_page), "page 2 repeats page 1"
        expected = ctx.api_ok(f"/api/v1/runs/{quote(run)}/cases?failing=true&per_page=10&page=2")
        assert case_ids(driver) == [case["case_id"] for case in expected["cases"]], "page 2 differs from the API's page 2"
        ctx.screenshot(driver, "run-failing-page-2")
        assert_no_console_errors(driver, url)
