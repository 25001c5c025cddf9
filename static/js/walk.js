// Keeps a walkthrough's taps safe on shaky wifi. Forms marked data-retry are sent by htmx;
// when a send fails (no network, server restarting) the tap stays on the page marked
// "Not saved yet" and is resent with the same values, client key included, until the
// server has it: the server records a key once, so a resend never counts twice.
// Leaving the page while a tap is unsaved asks first.
(function () {
  "use strict";

  var sent = new WeakMap(); // form -> the values of its last send
  var unsaved = new Set(); // forms whose last send has not been confirmed
  var timers = new WeakMap();
  var attempts = new WeakMap();

  function retryForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-retry]") : null;
  }

  function say(form, text, state) {
    var status = form.querySelector("[data-send-status]");
    if (status) {
      status.textContent = text;
      status.dataset.state = state;
    }
  }

  function setButtons(form, disabled) {
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = disabled;
    });
  }

  function resend(form) {
    if (!form.isConnected) {
      unsaved.delete(form);
      return;
    }
    clearTimeout(timers.get(form));
    say(form, "Not saved yet. Sending again…", "sending");
    htmx.ajax("POST", form.getAttribute("hx-post"), {
      source: form,
      target: form.getAttribute("hx-target"),
      swap: form.getAttribute("hx-swap"),
      values: sent.get(form) || {},
    });
  }

  function failed(form) {
    unsaved.add(form);
    setButtons(form, true);
    var attempt = (attempts.get(form) || 0) + 1;
    attempts.set(form, attempt);
    var seconds = Math.min(Math.pow(2, attempt - 1), 10);
    say(form, "Not saved yet: no connection. Your answer is kept here and will be sent again in " + seconds + " s.", "unsaved");
    timers.set(form, setTimeout(function () { resend(form); }, seconds * 1000));
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = retryForm(event);
    if (!form || event.detail.verb !== "post") return;
    var values = {};
    event.detail.formData.forEach(function (value, name) { values[name] = value; });
    if (!unsaved.has(form)) sent.set(form, values); // a resend keeps the values first sent
    unsaved.add(form);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = retryForm(event);
    if (form && !form.querySelector("[data-send-status][data-state='unsaved']")) say(form, "Saving…", "sending");
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = retryForm(event);
    if (form) failed(form);
  });

  document.addEventListener("htmx:timeout", function (event) {
    var form = retryForm(event);
    if (form) failed(form);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = retryForm(event);
    if (form && event.detail.xhr.status >= 500) failed(form); // a restarting server: try again
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = retryForm(event);
    var xhr = event.detail.xhr;
    if (form && xhr && xhr.status > 0 && xhr.status < 500) {
      // The server answered: saved, or refused with a message the swap now shows.
      unsaved.delete(form);
      clearTimeout(timers.get(form));
      attempts.delete(form);
      setButtons(form, false);
      if (form.isConnected) say(form, "", "saved");
    }
  });

  window.addEventListener("online", function () {
    unsaved.forEach(function (form) { if (form.isConnected) resend(form); });
  });

  window.addEventListener("beforeunload", function (event) {
    var waiting = Array.from(unsaved).some(function (form) { return form.isConnected; });
    if (waiting) {
      event.preventDefault();
      event.returnValue = ""; // browsers show their own "leave the page?" text
    }
  });
})();
