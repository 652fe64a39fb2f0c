// Long work shows that it is under way. A form marked data-busy disables its submit buttons
// when it is sent and shows its [data-busy-status] (a line of text and an indeterminate
// progress bar). A download (data-busy="download") stays on the page: its button comes back
// after a few seconds. A page shown again from the history (back button, bfcache) gets its
// buttons back at once.
(function () {
  "use strict";

  var DOWNLOAD_RESET_MS = 4000;

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])");
  }

  function reset(form) {
    delete form.dataset.busyOn;
    buttons(form).forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
    form.querySelectorAll("[data-busy-status]").forEach(function (status) {
      status.classList.add("d-none");
    });
  }

  function busy(form) {
    form.dataset.busyOn = "1";
    form.querySelectorAll("[data-busy-status]").forEach(function (status) {
      status.classList.remove("d-none");
    });
    // Disabled after the browser has taken the form's values (a disabled submit button
    // would not be sent).
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
    if (form.dataset.busy === "download") {
      window.setTimeout(function () { reset(form); }, DOWNLOAD_RESET_MS);
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy") ||
        (event.defaultPrevented && !form.dataset.busyOn)) {
      return;
    }
    if (form.dataset.busyOn) {  // sent already: not twice
      event.preventDefault();
      return;
    }
    busy(form);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(reset);
  });
})();
