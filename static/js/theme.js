// The colour theme: as the system (the default), light or dark, remembered in this browser.
// Loaded in <head> without defer so the choice is on <html> before the first paint: a dark
// page never flashes light. The CSS reads html[data-theme]; no attribute means the system's.
(function () {
  const KEY = "theme";
  const CHOICES = ["system", "light", "dark"];

  function stored() {
    try {
      const value = window.localStorage.getItem(KEY);
      return CHOICES.includes(value) ? value : "system";
    } catch (error) {
      return "system"; // storage refused (private windows, blocked cookies): follow the system
    }
  }

  function apply(choice) {
    if (choice === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", choice);
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    const select = document.querySelector("select[data-theme-select]");
    if (!select) return;
    select.value = stored();
    select.addEventListener("change", function () {
      apply(select.value);
      try {
        if (select.value === "system") window.localStorage.removeItem(KEY);
        else window.localStorage.setItem(KEY, select.value);
      } catch (error) {
        // Not remembered, but the page still changes.
      }
    });
  });
})();
