/* The chair screen: the timer since start and the vitals countdown, from data- attributes
   the server renders. It re-reads the DOM every second, so it keeps working after htmx
   swaps the panel and when the tablet is left open for hours. Progressive enhancement:
   without it the page still shows the due time and the overdue banner. */
(function () {
  "use strict";

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function clock(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    return (h ? h + ":" + two(m) : m) + ":" + two(s);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-started-at]").forEach(function (el) {
      var start = Date.parse(el.dataset.startedAt);
      var end = el.dataset.endedAt ? Date.parse(el.dataset.endedAt) : now;
      el.textContent = clock(end - start);
    });
    document.querySelectorAll("[data-due-at]").forEach(function (el) {
      var due = Date.parse(el.dataset.dueAt);
      var left = due - now;
      var countdown = el.querySelector(".countdown");
      var label = el.querySelector(".due-label");
      if (left < 0) {
        el.classList.add("overdue");
        if (label) { label.textContent = "VITALS OVERDUE"; }
        if (countdown) { countdown.textContent = "(" + clock(-left) + " late)"; }
      } else if (countdown) {
        countdown.textContent = "(in " + clock(left) + ")";
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
