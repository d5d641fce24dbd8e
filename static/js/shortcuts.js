// Keyboard shortcuts: "/" search, "n" new link, "j"/"k" move between the rows of a link list,
// "o" open the chosen row, "e" edit it, "?" the list of shortcuts (a modal dialog: focus stays
// inside until Escape or its button closes it, then returns where it was).
// Nothing fires while a field has the keyboard, nor with Ctrl, Alt or Cmd held, so typing and
// the browser's own shortcuts are never taken over.
(function () {
  const overlay = document.getElementById("shortcuts");
  const dialog = overlay && overlay.querySelector("[role=dialog]");
  let returnTo = null;

  function typing(target) {
    return target instanceof Element && (target.isContentEditable || target.closest("input, textarea, select"));
  }

  function focusable() {
    return [...dialog.querySelectorAll("a[href], button, input, select, textarea, [tabindex='0']")]
      .filter(function (el) { return !el.disabled && el.getClientRects().length; });
  }

  function isOpen() {
    return overlay && !overlay.hidden;
  }

  function openHelp() {
    if (!overlay || isOpen()) return;
    returnTo = document.activeElement;
    overlay.hidden = false;
    (dialog.querySelector("[data-shortcuts-close]") || dialog).focus();
  }

  function closeHelp() {
    if (!isOpen()) return;
    overlay.hidden = true;
    if (returnTo && document.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }

  function rows() {
    return [...document.querySelectorAll("ul.links li.link-row")];
  }

  function chosenRow() {
    return document.querySelector("ul.links li.link-row.chosen");
  }

  function choose(step) {
    const all = rows();
    if (!all.length) return;
    const current = all.indexOf(chosenRow());
    const next = current < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, current + step));
    if (current >= 0) all[current].classList.remove("chosen");
    all[next].classList.add("chosen");
    // The title link takes the focus, so screen readers announce the row and Enter opens it.
    const title = all[next].querySelector("a.link-title");
    (title || all[next]).focus();
    all[next].scrollIntoView({ block: "nearest" });
  }

  function follow(link) {
    if (link && link.href) window.location.assign(link.href);
  }

  function rowLink(selector) {
    const row = chosenRow() || rows()[0];
    return row && row.querySelector(selector);
  }

  const actions = {
    "/": function () {
      const box = document.getElementById("q");
      if (box) box.focus();
      else follow(document.querySelector("a[data-shortcut=search]"));
    },
    n: function () { follow(document.querySelector("a[data-shortcut=new]")); },
    j: function () { choose(1); },
    k: function () { choose(-1); },
    o: function () { follow(rowLink("a.link-title")); },
    // Edit addresses end in /edit/ (snapshots/urls.py).
    e: function () { follow(rowLink(".row-actions a[href$='/edit/']")); },
    "?": openHelp,
  };

  document.addEventListener("keydown", function (event) {
    if (isOpen()) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeHelp();
      } else if (event.key === "Tab") {
        // Keep the focus inside the dialog: wrap from the last control to the first and back.
        const items = focusable();
        if (!items.length) return;
        const first = items[0], last = items[items.length - 1];
        if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
          event.preventDefault();
          first.focus();
        }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) return;
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) openHelp();
    else if (event.target.closest("[data-shortcuts-close]") || event.target === overlay) closeHelp();
  });
})();
