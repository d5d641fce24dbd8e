// Reading settings on the reader page: text size, serif or sans, light/sepia/dark. They are kept
// in localStorage so every reader page opens the way the reader left the last one. Without
// script the page reads in the default settings and the buttons stay hidden.
(function () {
  var page = document.querySelector("[data-reader]");
  if (!page) return;
  var KEY = "linkhome.reader";
  var SIZES = [15, 16, 17, 18, 20, 22, 24, 27];
  var settings = { size: 3, face: "serif", theme: "" };
  try { Object.assign(settings, JSON.parse(localStorage.getItem(KEY) || "{}")); } catch (e) { /* unreadable: defaults */ }

  function apply() {
    settings.size = Math.max(0, Math.min(SIZES.length - 1, Number(settings.size) || 0));
    page.style.setProperty("--r-size", SIZES[settings.size] + "px");
    page.setAttribute("data-face", settings.face === "sans" ? "sans" : "serif");
    if (settings.theme) page.setAttribute("data-theme", settings.theme); else page.removeAttribute("data-theme");
    page.querySelectorAll("[data-face]").forEach(function (b) {
      if (b !== page) b.setAttribute("aria-pressed", String(b.dataset.face === settings.face));
    });
    page.querySelectorAll("button[data-theme]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.theme === settings.theme));
    });
  }

  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* private mode: not kept */ }
  }

  page.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !page.contains(button)) return;
    if (button.dataset.size) settings.size = Number(settings.size) + Number(button.dataset.size);
    else if (button.dataset.face) settings.face = button.dataset.face;
    else if (button.dataset.theme) settings.theme = button.dataset.theme;
    else return;
    apply();
    save();
  });
  page.querySelector(".reader-controls").hidden = false;
  apply();
})();
