// A background job's page: poll its state once a second until it is done or failed.
(function () {
  "use strict";
  var card = document.querySelector("[data-job-url]");
  if (!card) { return; }
  var bar = card.querySelector("[data-job-progress]");
  var state = card.querySelector("[data-job-state]");
  var percent = card.querySelector("[data-job-percent]");
  var error = card.querySelector("[data-job-error]");
  var result = card.querySelector("[data-job-result]");
  var labels = JSON.parse(state.getAttribute("data-labels"));

  function show(job) {
    bar.value = job.progress;
    percent.textContent = Math.round(job.progress * 100) + "%";
    state.textContent = labels[job.state] || job.state;
    card.setAttribute("data-state", job.state);
    if (job.error) { error.textContent = job.error; error.hidden = false; }
    if (job.result_url) { result.href = job.result_url; result.hidden = false; }
  }

  function poll() {
    fetch(card.getAttribute("data-job-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job) { show(job); }
        if (!job || (job.state !== "done" && job.state !== "failed")) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  if (card.getAttribute("data-state") !== "done" && card.getAttribute("data-state") !== "failed") { poll(); }
})();
