/* The chair screen's draft keeper: what a nurse has typed into a form but not yet saved
   survives an idle logout. The session timeout sends the tablet to the login page (an htmx
   request gets HX-Redirect with next=<this screen>); after logging in she lands here again and
   finds the values back in place, marked "not saved yet".

   - Each form with data-draft="<name>" inside [data-draft-scope="record-<pk>-user-<pk>"] is
     kept under "chair-draft:<scope>:<name>" in sessionStorage: per tab (it survives the login
     redirect in the same tab, not the closing of the tab), per record and per nurse.
   - Only the fields the nurse touched are kept: their names and values (vitals numbers,
     choices, reasons). No patient name or identifier is stored; the key holds record and user
     ids only. The CSRF token and hidden fields are never stored.
   - A draft is forgotten when the server says the form was saved (X-Chair-Saved header on
     the htmx response), and after MAX_AGE_MS whatever happens.
   No inline script (CSP): loaded from chair.html. */
(function () {
  "use strict";

  var PREFIX = "chair-draft:";
  var MAX_AGE_MS = 30 * 60 * 1000;
  var SKIPPED = { hidden: true, submit: true, button: true, file: true, password: true };

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }  // private mode, policy
  }

  function keyFor(form) {
    var scope = form.closest("[data-draft-scope]");
    if (!scope || !form.dataset.draft) { return null; }
    return PREFIX + scope.dataset.draftScope + ":" + form.dataset.draft;
  }

  function read(key) {
    var store = storage();
    if (!store || !key) { return null; }
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && Date.now() - draft.savedAt <= MAX_AGE_MS) { return draft; }
    } catch (e) { /* a damaged entry is dropped below */ }
    store.removeItem(key);
    return null;
  }

  function forget(form) {
    var store = storage(), key = keyFor(form);
    if (store && key) { store.removeItem(key); }
  }

  function kept(el) {
    return el.name && el.name !== "csrfmiddlewaretoken" && !SKIPPED[el.type] && el.form &&
      el.form.matches("[data-draft]");
  }

  function valueOf(el) {
    if (el.type === "checkbox" || el.type === "radio") {
      return Array.prototype.filter.call(el.form.elements, function (other) {
        return other.name === el.name && other.checked;
      }).map(function (other) { return other.value; });
    }
    return el.value;
  }

  function remember(el) {
    var store = storage(), key = keyFor(el.form);
    if (!store || !key) { return; }
    var draft = read(key) || { values: {} };
    draft.values[el.name] = valueOf(el);
    draft.savedAt = Date.now();
    try { store.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full: skip */ }
  }

  function fill(form, values) {  // true when a field changed
    var changed = false;
    Object.keys(values).forEach(function (name) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name || !kept(el)) { return; }
        var value = values[name];
        var ticks = el.type === "checkbox" || el.type === "radio";
        var before = ticks ? el.checked : el.value;
        if (ticks) {
          el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
        } else if (typeof value === "string") {
          el.value = value;
        }
        if ((ticks ? el.checked : el.value) !== before) {
          changed = true;
          var closed = el.closest("details:not([open])");
          if (closed) { closed.open = true; }
        }
      });
    });
    return changed;
  }

  function note(form, savedAt) {
    var old = form.querySelector(".draft-note");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    var at = new Date(savedAt);
    p.className = "draft-note";
    p.setAttribute("role", "status");
    p.textContent = "Restored what you typed at " + at.toTimeString().slice(0, 5) +
      " (not saved yet). Check it, then save.";
    form.insertBefore(p, form.firstChild);
  }

  function restore(root) {
    root.querySelectorAll("form[data-draft]").forEach(function (form) {
      var draft = read(keyFor(form));
      if (draft && fill(form, draft.values)) { note(form, draft.savedAt); }
    });
  }

  function sweep() {  // expired drafts of any record go, not only this screen's
    var store = storage();
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { read(key); }
    }
  }

  function typed(event) {
    if (event.target.form && kept(event.target)) { remember(event.target); }
  }

  document.addEventListener("input", typed);
  document.addEventListener("change", typed);
  // Before the swap, so the fresh panel is not refilled with what was just saved.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var form = (config && config.elt) || event.detail.elt;
    var xhr = event.detail.xhr;
    if (form && form.matches && form.matches("form[data-draft]") && xhr &&
        xhr.getResponseHeader("X-Chair-Saved") === "1") {
      forget(form);
    }
  });
  document.addEventListener("htmx:afterSwap", function () { restore(document); });
  document.addEventListener("DOMContentLoaded", function () { sweep(); restore(document); });
})();
