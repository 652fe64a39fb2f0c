/* The score sheet: totals follow the marks as they are typed (the total saved by the server
   stays the truth: a live one is marked "not saved yet"), and leaving with unsaved marks
   asks first. Loaded by templates/marking/sheet.html; no inline script (CSP). */
(function () {
  "use strict";

  var form = document.getElementById("sheet-form");
  if (!form) {
    return;
  }
  var MAX_JUDGE_SCORE = 3;
  var unsavedOnArrival = form.getAttribute("data-unsaved") === "1";
  var DECIMAL_SIGN = form.getAttribute("data-decimal") || ".";  /* "," in Russian */
  var submitting = false;

  /* "7,5" or "7.5" → 750 (hundredths); "" → null; not a mark → NaN */
  function hundredths(text) {
    var clean = String(text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (clean === "") {
      return null;
    }
    var match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(clean);
    if (!match) {
      return NaN;
    }
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }

  function format(cents) {
    var rest = cents % 100;
    return Math.floor(cents / 100) + DECIMAL_SIGN + (rest < 10 ? "0" : "") + rest;
  }

  /* the mark of one cell in hundredths, as services/marking/marks.py computes it */
  function cellValue(cell) {
    var max = hundredths(cell.getAttribute("data-max"));
    if (cell.getAttribute("data-kind") === "judgement") {
      var inputs = cell.querySelectorAll("input");
      var texts = Array.prototype.map.call(inputs, function (input) { return input.value.trim(); });
      if (texts.every(function (t) { return t === ""; })) {
        return null;
      }
      var sum = 0;
      for (var i = 0; i < texts.length; i += 1) {
        if (!/^[0-9]$/.test(texts[i]) || Number(texts[i]) > MAX_JUDGE_SCORE) {
          return NaN;
        }
        sum += Number(texts[i]);
      }
      // mean / 3 × max, to 0.01, half up: sum × max / (n × 3) in whole hundredths
      var numerator = sum * max;
      var denominator = texts.length * MAX_JUDGE_SCORE;
      return Math.floor((2 * numerator + denominator) / (2 * denominator));
    }
    var value = hundredths(cell.querySelector("input").value);
    if (value !== null && !(value <= max)) {
      return NaN;
    }
    return value;
  }

  function updateRow(row) {
    var total = 0;
    var any = false;
    row.querySelectorAll(".sheet-cell").forEach(function (cell) {
      var value = cellValue(cell);
      var shown = cell.querySelector(".aspect-value");
      if (shown) {
        shown.textContent = value === null ? "—" : (isNaN(value) ? "?" : format(value));
      }
      if (value !== null && !isNaN(value)) {
        total += value;
        any = true;
      }
    });
    var totalCell = row.querySelector(".entry-total");
    var note = row.querySelector(".sheet-total-note");
    if (!totalCell) {
      return;
    }
    var text = any ? format(total) : "—";
    /* data-saved is the saved total as the server writes numbers ("9.50"), "" for none */
    var saved = hundredths(totalCell.getAttribute("data-saved"));
    totalCell.textContent = text;
    var changed = (any ? total : null) !== saved;
    totalCell.classList.toggle("sheet-total-changed", changed);
    if (note) {
      note.hidden = !changed;
    }
  }

  function changedInputs() {
    return Array.prototype.some.call(form.querySelectorAll("input.judge-input, input.mark-input"),
      function (input) { return !input.disabled && input.value !== input.defaultValue; });
  }

  form.addEventListener("input", function (event) {
    var row = event.target.closest ? event.target.closest("tr.sheet-row") : null;
    if (row) {
      updateRow(row);
    }
  });

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !(unsavedOnArrival || changedInputs())) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });

  if (unsavedOnArrival) {
    // the page came back with the marks typed before (a refused save): show their totals
    form.querySelectorAll("tr.sheet-row").forEach(updateRow);
  }
}());
