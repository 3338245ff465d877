// graftwatch page glue. No inline script anywhere (CSP script-src 'self').
// Forms with data-confirm="…" ask before submitting.
document.addEventListener("submit", function (ev) {
  var msg = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
}, true);
