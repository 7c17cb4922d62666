// Shows the other unit live beside a weight as it is typed: "= 339.5 lb" for 154 with kg
// chosen, "= 69.85 kg" with lb chosen. Display only: the server converts and stores.
// Markup: <input data-weight-input="UNIT_FIELD_NAME"> in a form with radios of that name.
(function () {
  "use strict";
  var KG_PER_LB = 0.45359237;

  function other(value, unit) {
    if (unit === "kg") { return "= " + (value / KG_PER_LB).toFixed(1) + " lb"; }
    if (unit === "lb") { return "= " + (value * KG_PER_LB).toFixed(2) + " kg"; }
    return "choose kg or lb";
  }

  function wire(input) {
    var form = input.form;
    var unitName = input.getAttribute("data-weight-input");
    var out = document.createElement("output");
    out.className = "weight-other";
    out.setAttribute("aria-live", "polite");
    out.setAttribute("data-weight-other", "");
    input.insertAdjacentElement("afterend", out);
    function update() {
      var chosen = form.querySelector('input[name="' + unitName + '"]:checked');
      var value = parseFloat(input.value);
      out.textContent = isNaN(value) || value <= 0 ? "" : other(value, chosen ? chosen.value : "");
    }
    input.addEventListener("input", update);
    form.querySelectorAll('input[name="' + unitName + '"]').forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  function start() { document.querySelectorAll("[data-weight-input]").forEach(wire); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
