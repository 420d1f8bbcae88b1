// Small progressive enhancement; every page works without it.
document.documentElement.classList.add("js");

// After a form comes back with errors, take keyboard and screen-reader users
// to the summary of what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }
});
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});

// A form that takes a while (reading an uploaded file) says so: on submit
// its button is disabled, against a second submission, and its status line
// shows the form's data-busy text, which the page took from the catalog.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy") || e.defaultPrevented) {
    return;
  }
  var status = form.querySelector("[data-busy-status]");
  if (status) {
    status.textContent = form.getAttribute("data-busy");
  }
  var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
  // Disable after the browser has taken the form's data, so the submission goes through.
  window.setTimeout(function () {
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
  }, 0);
});

// Coming back to the page (the browser's back button) shows the form ready again.
window.addEventListener("pageshow", function (e) {
  if (!e.persisted) {
    return;
  }
  var forms = document.querySelectorAll("form[data-busy]");
  for (var i = 0; i < forms.length; i++) {
    var status = forms[i].querySelector("[data-busy-status]");
    if (status) {
      status.textContent = "";
    }
    var buttons = forms[i].querySelectorAll("button[type=submit], input[type=submit]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].disabled = false;
    }
  }
});
