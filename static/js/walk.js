// Keeps a walkthrough's taps safe on shaky wifi. Forms marked data-retry are sent by htmx;
// when a send fails (no network, server restarting) the tap stays on the page marked
// "Not saved yet" and is resent with the same values, client key included, until the
// server has it: the server records a key once, so a resend never counts twice.
// Leaving the page while a tap is unsaved asks first. From the moment a tap is sent until the
// server has it, the walk's other buttons wait too (a Back behind an unsaved tap would be lost),
// and the buttons of a question that has just appeared wait a moment, so a double tap does not
// answer it unread.
(function () {
  "use strict";

  // Buttons only a page without this script needs (choosing a component loads its steps by itself,
  // through htmx): hidden while that works, shown again once a load has failed.
  if (window.htmx) document.documentElement.classList.add("js");

  var sent = new WeakMap(); // form -> the values of its last send
  var unsaved = new Set(); // forms whose last send has not been confirmed
  var timers = new WeakMap();
  var attempts = new WeakMap();
  var answered = false; // a save's answer is about to be swapped in (by then its form is gone)
  var gone = false; // the server said the walkthrough is no longer this coach's to write to
  var SETTLE_MS = 400;

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

  function anyUnsaved() {
    return Array.from(unsaved).some(function (form) { return form.isConnected; });
  }

  function resend(form) {
    if (!form.isConnected) {
      unsaved.delete(form);
      markUnsaved();
      if (!anyUnsaved()) everyRetryForm(false);
      return;
    }
    clearTimeout(timers.get(form));
    say(form, "Not saved yet. Sending again…", "sending");
    // htmx takes the target, swap and select from the form's own attributes ("closest ..." included).
    htmx.ajax("POST", form.getAttribute("hx-post"), { source: form, values: sent.get(form) || new FormData() });
  }

  function everyRetryForm(disabled) {
    if (!disabled && gone) return; // the server said the walkthrough is gone: nothing here may be sent
    document.querySelectorAll("form[data-retry]").forEach(function (form) { setButtons(form, disabled); });
  }

  function isPost(event) {
    var config = event.detail && event.detail.requestConfig;
    return !config || config.verb === "post";
  }

  // What the coach tapped, in their words: which answer, or Back.
  function kept(form) {
    var values = sent.get(form) || new FormData();
    if (values.get("in_place") === "yes") return "Your answer, “In place”, is kept here and";
    if (values.get("in_place") === "no") return "Your answer, “Not yet”, is kept here and";
    if (form.classList.contains("back-form")) return "Your Back is kept here and";
    if (form.classList.contains("back-to-form")) return "Your change from here is kept here and";
    if (form.classList.contains("start-form")) return "Your start is kept here and";
    return "What you sent is kept here and";
  }

  // What is kept is what was sent: the form's fields stay as they were until it is saved.
  function holdFields(form) {
    form.querySelectorAll("textarea, input:not([type=hidden]), select").forEach(function (field) {
      if (field.tagName === "TEXTAREA" || field.type === "text") field.readOnly = true;
      else field.disabled = true;
    });
  }

  // On a phone the form's message can be below the screen: the button tapped stays marked,
  // and the walk's sticky bar shows "Not saved yet" (CSS) while anything is unsaved.
  function markUnsaved() {
    document.documentElement.toggleAttribute("data-unsaved", anyUnsaved());
  }

  function markKept(form) {
    var answer = (sent.get(form) || new FormData()).get("in_place");
    form.querySelectorAll("button").forEach(function (button) {
      button.classList.toggle("is-kept", button.name === "in_place" ? button.value === answer : /\bback(-to)?-form\b/.test(form.className));
    });
  }

  // Why a send did not get through, in the coach's words: no reply at all, a sign-in that has
  // ended (signing in again in another tab lets the resend through), or a server that refused.
  function why(status) {
    if (!status) return "no connection.";
    if (status === 401) return "your sign-in has ended. Sign in again in another tab, then come back:";
    return "the server did not take it (error " + status + ").";
  }

  function failed(form, status) {
    unsaved.add(form); // its buttons, and the walk's others, are disabled since it was sent
    holdFields(form);
    markKept(form);
    markUnsaved();
    var attempt = (attempts.get(form) || 0) + 1;
    attempts.set(form, attempt);
    var seconds = Math.min(Math.pow(2, attempt - 1), 10);
    say(form, "Not saved yet: " + why(status) + " " + kept(form) + " will be sent again in " + seconds + " s.", "unsaved");
    timers.set(form, setTimeout(function () { resend(form); }, seconds * 1000));
  }

  // The replies the page shows: saved (2xx, a redirect), refused with a message swapped in (400,
  // 409), or gone (403, 404: reload). Anything else (no reply, 401, 408, 429, 5xx) did not save it.
  function answeredWith(status) {
    return (status >= 200 && status < 400) || [400, 403, 404, 409].indexOf(status) >= 0;
  }

  // A form that swaps in a part of the page it gets back (Start: hx-select) is answered only by a
  // page holding that part, or by where to go next (HX-Redirect).
  function holdsItsPart(form, xhr) {
    var part = form.getAttribute("hx-select");
    if (!part || xhr.status === 403 || xhr.status === 404 || xhr.getResponseHeader("HX-Redirect")) return true;
    return Boolean(new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector(part));
  }

  // Signing in again (in another tab) gives the browser a new CSRF token: a resend carries it.
  function freshToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = retryForm(event);
    if (!form || event.detail.verb !== "post") return;
    var values = new FormData(); // a copy, repeated names (a Driver Model's chosen steps) included
    event.detail.formData.forEach(function (value, name) { values.append(name, value); });
    if (!unsaved.has(form)) sent.set(form, values); // a resend keeps the values first sent
    var token = freshToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
      if (event.detail.formData.has("csrfmiddlewaretoken")) event.detail.formData.set("csrfmiddlewaretoken", token);
    }
    unsaved.add(form);
    holdFields(form); // what is typed from now on would not be in this send, nor in a resend of it
    everyRetryForm(true); // the walk's other buttons wait for this one's answer (its values are already read)
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = retryForm(event);
    // A GET (a component's steps) is no save. While a save is on its way the form's hx-sync drops
    // it; once a save has failed, holdFields has disabled what would send one.
    if (!form || !isPost(event)) return;
    if (!form.querySelector("[data-send-status][data-state='unsaved']")) say(form, "Saving…", "sending");
  });

  // Only a POST is a tap to keep and resend. A GET that fails (a Driver Model component's
  // action steps) is only said: resending the form would save choices never submitted.
  function sendFailed(event) {
    var form = retryForm(event);
    if (!form) return;
    if (isPost(event)) failed(form, event.detail.xhr ? event.detail.xhr.status : 0);
    else {
      say(form, "Could not load this from the server: no connection. Once you are back online, choose again or use “Show the action steps”.", "unsaved");
      document.documentElement.classList.remove("js");
    }
  }

  document.addEventListener("htmx:sendError", sendFailed);
  document.addEventListener("htmx:timeout", sendFailed);

  document.addEventListener("htmx:responseError", function (event) {
    if (!answeredWith(event.detail.xhr.status)) sendFailed(event); // a restarting server, a proxy's timeout: try again
  });

  // beforeOnLoad, not afterRequest: on a redirect (the finish) htmx leaves the page before
  // afterRequest, and a form still counted as unsaved would make the browser ask "leave?".
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = retryForm(event);
    var xhr = event.detail.xhr;
    if (form && xhr && answeredWith(xhr.status)) {
      // The server answered: saved, or refused with a message the swap now shows.
      if (!isPost(event)) {
        if (!unsaved.has(form)) say(form, "", "saved");
        return;
      }
      if (!holdsItsPart(form, xhr)) {
        // Not PL Coach's page (a proxy's error page, a school wifi's sign-in page): swapping in
        // nothing would wipe the form. Kept, and sent again like a send that got no reply.
        event.preventDefault();
        failed(form, 0);
        return;
      }
      unsaved.delete(form);
      markUnsaved();
      clearTimeout(timers.get(form));
      attempts.delete(form);
      if (xhr.status === 403 || xhr.status === 404) {
        // Nothing to swap, so nowhere for the focus to go: the walkthrough is gone (discarded
        // elsewhere) or no longer this coach's, or the start page is out of date. Every button
        // of the walk would be refused the same.
        gone = true;
        everyRetryForm(true);
        say(form, form.classList.contains("start-form")
          ? "Not started: this page is out of date. Reload it to choose again."
          : "Not saved: this walkthrough is no longer open to you here. Reload the page to see where it stands.", "unsaved");
        return;
      }
      answered = true;
      if (!anyUnsaved()) everyRetryForm(false);
      if (form.isConnected) say(form, "", "saved");
    }
  });

  // A question that has just appeared (any form new since the last swap) waits a moment.
  var seen = new WeakSet();
  document.querySelectorAll("form[data-retry]").forEach(function (form) { seen.add(form); });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("form[data-retry]").forEach(function (form) {
      if (seen.has(form)) return;
      seen.add(form);
      setButtons(form, true);
      setTimeout(function () { if (!anyUnsaved() && !gone) setButtons(form, false); }, SETTLE_MS);
    });
  });

  // After a save, focus goes to where the walk now stands (a refusal, the next question, the
  // pause), so a keyboard or screen-reader user is neither left on the page's top nor sent past
  // the new question; a Driver Model component's steps (a GET) keep the focus htmx gives back.
  document.addEventListener("htmx:afterSwap", function () {
    if (!answered) return;
    answered = false;
    var walk = document.getElementById("walk");
    var where = walk ? walk.querySelector(".form-errors[role=alert]") || walk.querySelector("[data-swap-focus]")
      : document.querySelector(".form-errors[role=alert]"); // a refused start: the page's own message
    if (where) where.focus();
  });

  // The Driver Model form is redrawn (a GET) when the component or stage changes: what was typed
  // in its own words is carried across here, not in the request's address, which would put it in
  // the server's logs and, long, over the server's limit for an address.
  var typed = null;
  function redrawsForm(event) {
    var config = event.detail && event.detail.requestConfig;
    return config && config.verb === "get" && event.detail.target && event.detail.target.id === "focus-form";
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var words = document.getElementById("own_words");
    typed = redrawsForm(event) && words ? words.value : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var words = document.getElementById("own_words");
    if (typed !== null && words && redrawsForm(event)) words.value = typed;
    typed = null;
  });

  // A Driver Model component takes at most a few action steps: once that many are ticked the
  // others wait, so the limit is met while choosing, not refused after saving.
  function limitSteps(root) {
    root.querySelectorAll("[data-step-limit]").forEach(function (fieldset) {
      var limit = Number(fieldset.dataset.stepLimit);
      var boxes = Array.from(fieldset.querySelectorAll("input[type=checkbox]"));
      var full = boxes.filter(function (box) { return box.checked; }).length >= limit;
      boxes.forEach(function (box) { if (!box.checked) box.disabled = full; });
    });
  }
  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest("[data-step-limit]");
    if (fieldset) limitSteps(fieldset.parentNode);
  });
  document.addEventListener("htmx:afterSwap", function () { limitSteps(document); });
  limitSteps(document);

  window.addEventListener("online", function () {
    unsaved.forEach(function (form) { if (form.isConnected) resend(form); });
  });

  window.addEventListener("beforeunload", function (event) {
    if (anyUnsaved()) {
      event.preventDefault();
      event.returnValue = ""; // browsers show their own "leave the page?" text
    }
  });
})();
