"""Moving a label and rolling back from the prompt page, through the confirmation pages, checked with git."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import assert_no_console_errors, quote, text_of, wait_until

NAME = "support/triage"
PROMPT = "/prompts/" + quote(NAME)
LABEL = "browser-test"
LABEL_REF = f"refs/promptlab/labels/{NAME}.prompt/{LABEL}"


def label_refs(ctx):
    """`{ref: commit}` of the repository's labels, as git itself sees them."""
    refs = {}
    for line in ctx.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/promptlab").splitlines():
        ref, commit = line.split(" ")
        refs[ref] = commit
    return refs


def confirm(ctx, driver, page):
    """Checks the confirmation page, screenshots it and presses Confirm; returns its summary."""
    wait_until(driver, lambda d: d.find_elements(By.ID, "confirm"), 30, f"the {page} confirmation page")
    summary = text_of(driver, "#confirm-summary")
    ctx.screenshot(driver, page)
    assert_no_console_errors(driver, driver.current_url)
    driver.find_element(By.ID, "confirm").click()
    wait_until(driver, lambda d: d.current_url.rstrip("/").endswith(PROMPT), 30, f"the prompt page after confirming the {page}")
    wait_until(driver, lambda d: d.find_elements(By.ID, "timeline"), 30, "the prompt page to load")
    return summary


def test_label_form_moves_a_label_git_can_see(ctx):
    v1 = next(version for version in ctx.prompt_log(NAME) if version["version"] == 1)
    assert LABEL_REF not in label_refs(ctx), f"{LABEL_REF} exists before the test"
    with ctx.browser() as driver:
        ctx.open(driver, PROMPT)
        driver.find_element(By.CSS_SELECTOR, '#label-form input[name="label"]').send_keys(LABEL)
        Select(driver.find_element(By.CSS_SELECTOR, '#label-form select[name="version"]')).select_by_value("v1")
        assert_no_console_errors(driver, "the prompt page, after typing a label")
        driver.find_element(By.CSS_SELECTOR, "#label-form button[type=submit]").click()
        summary = confirm(ctx, driver, "label-move-confirm")
        assert LABEL in summary and "v1" in summary and "new label" in summary, f"unexpected summary {summary!r}"
        labels = text_of(driver, "#labels")
        assert LABEL in labels, f"the prompt page does not list the new label: {labels!r}"
        ctx.screenshot(driver, "prompt-after-label-move")
        assert_no_console_errors(driver, driver.current_url)
    refs = label_refs(ctx)
    assert LABEL_REF in refs, f"git has no {LABEL_REF}; refs/promptlab holds {sorted(refs)}"
    assert refs[LABEL_REF] == v1["commit"], f"{LABEL_REF} points at {refs[LABEL_REF]}, v1 is {v1['commit']}"
    listed = ctx.api_ok(f"/api/v1/prompts/{quote(NAME)}/labels")["labels"]
    assert any(label["label"] == LABEL and label["commit"] == v1["commit"] for label in listed), listed


def test_rollback_form_commits_the_old_content(ctx):
    versions = ctx.prompt_log(NAME)
    latest = versions[0]
    v1 = next(version for version in versions if version["version"] == 1)
    v1_content = ctx.api_ok(f"/api/v1/prompts/{quote(NAME)}?ref=v1")["content"]
    tracked_changes = ctx.git("status", "--porcelain", "--untracked-files=no")
    assert not tracked_changes, f"the repository has uncommitted changes before the rollback:\n{tracked_changes}"
    with ctx.browser() as driver:
        ctx.open(driver, PROMPT)
        Select(driver.find_element(By.CSS_SELECTOR, '#rollback-form select[name="to"]')).select_by_value("v1")
        driver.find_element(By.CSS_SELECTOR, '#rollback-form input[name="label"]').send_keys(LABEL)
        assert_no_console_errors(driver, "the prompt page, after typing a label to move")
        driver.find_element(By.CSS_SELECTOR, "#rollback-form button[type=submit]").click()
        wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "pre.prompt-text"), 30, "the content to commit")
        shown = text_of(driver, "pre.prompt-text")
        assert shown.strip() == v1_content.strip(), "the confirmation page does not show v1's content"
        summary = confirm(ctx, driver, "rollback-confirm-v1")
        assert "v1" in summary and LABEL in summary, f"unexpected summary {summary!r}"
        timeline = driver.find_elements(By.CSS_SELECTOR, "#timeline li.version.rollback")
        assert timeline, "the timeline marks no version as a rollback"
        ctx.screenshot(driver, "prompt-after-rollback")
        assert_no_console_errors(driver, driver.current_url)

    subject = ctx.git("log", "-1", "--format=%s").strip()
    assert subject.startswith(f"Roll back {NAME} to v1"), f"the last commit is {subject!r}, not a rollback to v1"
    now = ctx.prompt_log(NAME)[0]
    assert now["version"] == latest["version"] + 1, f"latest is v{now['version']}, expected v{latest['version'] + 1}"
    assert ctx.git("rev-parse", "HEAD").strip() == now["commit"], "HEAD is not the rollback commit"
    status = ctx.git("status", "--porcelain", "--untracked-files=no")
    assert not status, f"the rollback left changes in the work tree:\n{status}"
    on_disk = (ctx.repo / f"{NAME}.prompt").read_text()
    assert on_disk.strip() == v1_content.strip(), "the prompt file on disk is not v1's content"
    assert label_refs(ctx)[LABEL_REF] == now["commit"], "the rollback did not move the label to its new commit"
    assert now["commit"] != v1["commit"], "a rollback must be a new commit, not a reset"
