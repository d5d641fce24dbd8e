// The two screenshots of the versions page laid over each other, full width, with a slider:
// the older one shows left of the slider's position, the newer one right of it. Without this
// script the page shows them one under the other, each with its caption. The page's poll may
// swap in a new comparison (a capture finished): htmx announces new content with htmx:load.
(function () {
  function overlay(box) {
    const figures = box.querySelectorAll("figure");
    if (figures.length !== 2) return;
    const older = figures[0];
    // The captions go in one row above the pictures (left: older, right: newer), where the
    // slider's sides are; inside the stacked figures they would overlap.
    const legend = document.createElement("div");
    legend.className = "shot-legend";
    legend.setAttribute("aria-hidden", "true");
    figures.forEach(function (figure) {
      const caption = figure.querySelector("figcaption");
      const copy = document.createElement("span");
      copy.textContent = caption ? caption.textContent : "";
      legend.append(copy);
      if (caption) caption.classList.add("sr-only");
    });
    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = "0";
    slider.max = "100";
    slider.value = "50";
    slider.className = "shot-slider";
    slider.setAttribute("aria-label", box.dataset.label || "");
    function show() {
      older.style.clipPath = "inset(0 " + (100 - Number(slider.value)) + "% 0 0)";
    }
    slider.addEventListener("input", show);
    const controls = document.createElement("div");
    controls.className = "shot-controls";
    controls.append(legend, slider);
    box.classList.add("overlaid");
    box.before(controls);
    show();
  }

  function setUp(root) {
    root.querySelectorAll(".shot-compare:not(.overlaid)").forEach(overlay);
  }

  setUp(document);
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });
})();
