"""A run in progress: its page follows it live (Server-Sent Events) and reloads when it completes.

The run talks to `promptlab-test-server`, which speaks OpenAI's wire format on loopback and answers
every request after 300 ms, so 80 cells at concurrency 2 take about 12 seconds.
"""
import json

from selenium.webdriver.common.by import By

from harness import assert_no_console_errors, quote, wait_for, wait_until

EXPERIMENT = "browser-live"
CASES = 40


def write_experiment(ctx):
    data = ctx.repo / "experiments" / "data"
    tickets = (data / "support-tickets.jsonl").read_text().splitlines()[:CASES]
    (data / f"{EXPERIMENT}.jsonl").write_text("\n".join(tickets) + "\n")
    (ctx.repo / "experiments" / f"{EXPERIMENT}.yaml").write_text(f"""\
name: {EXPERIMENT}
description: Two versions of the ticket router on an OpenAI-compatible loopback server, slowly.
model: openai/gpt-4o-mini
control: v1
variants:
  v1: support/triage@v1
  v2: support/triage@v2
dataset: data/{EXPERIMENT}.jsonl
concurrency: 2
seed: 7
graders:
  - type: classification
    labels: [billing, technical, shipping, general]
""")
    return f"experiments/{EXPERIMENT}.yaml"


def running_run(ctx, process):
    if process.poll() is not None:
        raise AssertionError(f"promptlab run exited with {process.returncode} before it was seen running:\n"
                             + process.log_path.read_text())
    runs = ctx.api_ok(f"/api/v1/runs?experiment={EXPERIMENT}")["runs"]
    return next((run["run"] for run in runs if run["status"] == "running"), None)


def cells_done(driver):
    return int(driver.find_element(By.ID, "cells-done").text.strip())


def live_status(driver):
    return driver.find_element(By.ID, "live-status").get_attribute("data-status")


def test_run_page_follows_a_running_run_until_it_completes(ctx):
    url_file = ctx.work / "test-server.url"
    ctx.start([str(ctx.bin_dir / "promptlab-test-server"), "--delay-ms", "300", "--url-file", str(url_file)])
    base_url = wait_for(lambda: url_file.exists() and url_file.read_text().strip(), 30, "the test server's address")
    experiment = write_experiment(ctx)
    environment = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-browser-test-not-a-real-key"}
    run_process = ctx.start([str(ctx.bin_dir / "promptlab"), "run", experiment], env=environment)
    run = wait_for(lambda: running_run(ctx, run_process), 60, f"a running run of {EXPERIMENT}")

    with ctx.browser() as driver:
        ctx.open(driver, f"/runs/{quote(run)}")
        assert live_status(driver) == "running", f"the run page says {live_status(driver)!r} while the run is running"
        first = cells_done(driver)
        samples = []

        def progressed_while_running(d):
            done, status = cells_done(d), live_status(d)
            samples.append((done, status))
            return done > first and status == "running" and d.find_element(By.ID, "live-status").text == "running"

        wait_until(driver, progressed_while_running, 60, f"#cells-done to grow past {first} while running (saw {samples[-5:]})")
        ctx.screenshot(driver, "run-live")
        wait_until(driver, lambda d: cells_done(d) > first + 4, 60, "more progress")
        wait_until(driver, lambda d: live_status(d) == "completed", 180, "the page to show the run completed")
        wait_until(driver, lambda d: d.execute_script("return document.readyState") == "complete", 30, "the reload")
        total = 2 * CASES
        assert cells_done(driver) == total, f"the completed page shows {cells_done(driver)} of {total} cells"
        assert driver.find_elements(By.CSS_SELECTOR, "table.variant-table"), "the reloaded page has no variant table"
        ctx.screenshot(driver, "run-live-completed")
        assert_no_console_errors(driver, driver.current_url)

    assert run_process.wait(timeout=120) == 0, "promptlab run failed:\n" + run_process.log_path.read_text()
    progress = ctx.api_ok(f"/api/v1/runs/{quote(run)}/progress")
    assert progress["status"] == "completed" and progress["done"] == total and progress["errors"] == 0, json.dumps(progress)
