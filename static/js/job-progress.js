// A background job's page: poll its status (JSON) until it is done or failed, and show it.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var bar = box.querySelector(".job-progress-bar");
  function show(status) {
    box.setAttribute("data-state", status.state);
    box.querySelectorAll("[data-job-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-job-state") !== status.state;
    });
    var percent = status.percent || 0;
    bar.style.width = percent + "%";
    bar.textContent = percent + " %";
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
    var done = box.querySelector("[data-job-done]");
    if (done) { done.textContent = String(status.done || 0); }
    if (status.download) {
      box.querySelector("[data-job-download]").setAttribute("href", status.download);
    }
  }
  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        show(status);
        if (status.state === "queued" || status.state === "running") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  bar.style.width = (bar.getAttribute("data-percent") || "0") + "%";
  var state = box.getAttribute("data-state");
  if (state === "queued" || state === "running") { window.setTimeout(poll, 500); }
}());
