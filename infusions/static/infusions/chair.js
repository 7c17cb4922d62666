/* The chair screen: the timer since start and the vitals countdown, from data- attributes
   the server renders. It re-reads the DOM every second, so it keeps working after htmx
   swaps the panel and when the tablet is left open for hours. Progressive enhancement:
   without it the page still shows the due time and the overdue banner. */
(function () {
  "use strict";

  function two(n) { return (n < 10 ? "0" : "") + n; }

  /* The one way elapsed times are written (as infusions.timing.format_elapsed):
     "33 s", "12 min", "1 h 05 min". */
  function elapsed(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    if (total < 60) { return total + " s"; }
    var minutes = Math.floor(total / 60);
    if (minutes < 60) { return minutes + " min"; }
    return Math.floor(minutes / 60) + " h " + two(minutes % 60) + " min";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-started-at]").forEach(function (el) {
      var start = Date.parse(el.dataset.startedAt);
      var end = el.dataset.endedAt ? Date.parse(el.dataset.endedAt) : now;
      el.textContent = elapsed(end - start);
    });
    document.querySelectorAll("[data-due-at]").forEach(function (el) {
      var due = Date.parse(el.dataset.dueAt);
      var overdueAt = el.dataset.overdueAt ? Date.parse(el.dataset.overdueAt) : due;
      var countdown = el.querySelector(".countdown");
      var label = el.querySelector(".due-label");
      if (now > overdueAt) {
        el.classList.add("overdue");
        if (label) { label.textContent = "VITALS OVERDUE"; }
        if (countdown) { countdown.textContent = "(" + elapsed(now - overdueAt) + " late)"; }
      } else if (countdown) {
        countdown.textContent = due > now ? "(in " + elapsed(due - now) + ")" : "(due now)";
      }
    });
    /* "Complete" becomes possible when the planned run time is reached (the server
       checks again). */
    document.querySelectorAll("button[data-enable-at]").forEach(function (button) {
      if (now >= Date.parse(button.dataset.enableAt)) {
        button.disabled = false;
        button.removeAttribute("data-enable-at");
      }
    });
  }

  /* Discharge: show only the items of the chosen score. */
  function showScoreItems() {
    var chosen = document.querySelector("[data-score-type]:checked");
    document.querySelectorAll("[data-score-items]").forEach(function (set) {
      set.hidden = chosen ? set.dataset.scoreItems !== chosen.value : false;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-score-type]")) { showScoreItems(); }
  });
  document.addEventListener("htmx:afterSwap", function () { showScoreItems(); tick(); });
  document.addEventListener("DOMContentLoaded", function () { showScoreItems(); tick(); });
  setInterval(tick, 1000);
})();
