// Loaded in <head> without defer, so the "js" class is set before the first paint: the phone
// menu starts folded only when this script runs to unfold it. Every handler is delegated on
// the document, so nothing here waits for the body.
document.documentElement.classList.add("js");

// Selects marked data-autosubmit submit their form on change (the language switcher);
// without script the form's own button does the same.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});

// The header's menu button on narrow screens opens and closes the site menu; Escape or a click
// elsewhere closes it.
function setMenu(toggle, open) {
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
}

document.addEventListener("click", function (event) {
  const toggle = document.querySelector("[data-menu-toggle]");
  if (!toggle) return;
  if (toggle.contains(event.target)) {
    setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true");
  } else if (!event.target.closest("#site-menu")) {
    setMenu(toggle, false);
  }
});

document.addEventListener("keydown", function (event) {
  const toggle = document.querySelector("[data-menu-toggle]");
  if (event.key === "Escape" && toggle && toggle.getAttribute("aria-expanded") === "true") {
    setMenu(toggle, false);
    toggle.focus();
  }
});

// Buttons marked data-close-window close the window they are in (the bookmarklet's small window
// once the link is saved). A handler here, not an onclick attribute: the site's policy runs no
// inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-close-window]")) window.close();
});

// The bookmarklets' buttons are javascript: addresses meant for other sites' pages. Here they are
// only to be dragged to the bookmarks bar; a click would be refused by the site's policy anyway,
// so it says what to do instead of doing nothing.
document.addEventListener("click", function (event) {
  const bookmarklet = event.target.closest("a.bookmarklet");
  if (!bookmarklet) return;
  event.preventDefault();
  const hint = document.getElementById(bookmarklet.getAttribute("aria-describedby") || "");
  if (hint) hint.hidden = false;
});
