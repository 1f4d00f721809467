// PromptLab's only script. Pages work without it; it adds live updates, review shortcuts and the
// one-file report's filters. It never inserts HTML: text goes in through textContent.
"use strict";

(function () {
  function text(id, value) {
    var element = document.getElementById(id);
    if (element) { element.textContent = value; }
  }

  function dollars(value) {
    if (value === null || value === undefined) { return "unknown"; }
    if (value === 0) { return "$0"; }
    return value < 1 ? "$" + value.toFixed(4) : "$" + value.toFixed(2);
  }

  // A running run's page follows the run through Server-Sent Events.
  function followRun() {
    var summary = document.getElementById("run-summary");
    if (!summary || summary.dataset.status !== "running" || !window.EventSource) { return; }
    var run = summary.dataset.run;
    var source = new EventSource("/api/v1/runs/" + encodeURIComponent(run) + "/events");
    source.addEventListener("progress", function (event) {
      var progress = JSON.parse(event.data);
      text("cells-done", String(progress.done));
      text("cells-errors", String(progress.errors));
      text("run-cost", progress.cost_usd === null ? dollars(progress.known_cost_usd) + " + unpriced" : dollars(progress.cost_usd));
      var status = document.getElementById("live-status");
      if (status) { status.textContent = progress.status; status.dataset.status = progress.status; }
      var list = document.getElementById("interim-list");
      var section = document.getElementById("interim");
      if (list && section && progress.interim.length > 0) {
        section.hidden = false;
        while (list.firstChild) { list.removeChild(list.firstChild); }
        progress.interim.forEach(function (comparison) {
          var item = document.createElement("li");
          var p = comparison.sequential_p_value === null ? "–" : comparison.sequential_p_value.toFixed(4);
          item.textContent = comparison.verdict + " (always-valid p " + p + ")";
          list.appendChild(item);
        });
      }
    });
    source.addEventListener("done", function () {
      source.close();
      window.location.reload();
    });
  }

  // Blind review: a, b, t and s choose, as in the terminal review.
  function reviewShortcuts() {
    var form = document.getElementById("review-form");
    if (!form) { return; }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
      var button = form.querySelector('button[data-key="' + event.key.toLowerCase() + '"]');
      if (button) { event.preventDefault(); button.click(); }
    });
  }

  // The one-file report filters its case grid in the browser.
  function reportFilters() {
    var form = document.getElementById("report-filters");
    var grid = document.getElementById("case-grid");
    if (!form || !grid) { return; }
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tr.case-row"));
    function apply() {
      var failing = form.elements.failing.checked;
      var disagree = form.elements.disagree.checked;
      var query = form.elements.q.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var visible = (!failing || row.classList.contains("failing"))
          && (!disagree || row.classList.contains("disagree"))
          && (query === "" || row.textContent.toLowerCase().indexOf(query) !== -1);
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      text("report-shown", String(shown));
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    followRun();
    reviewShortcuts();
    reportFilters();
  });
})();
