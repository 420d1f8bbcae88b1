// Small progressive enhancement; every page works without it.
document.documentElement.classList.add("js");
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
