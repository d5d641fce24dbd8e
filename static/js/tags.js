// Suggest the user's existing tags for the last comma-separated name being typed.
(function () {
  const list = document.getElementById("tag-suggestions");
  const input = document.querySelector('input[name="tags"]');
  if (!list || !input) return;
  let timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const parts = input.value.split(/[,，、]/);
      const last = parts.pop().trim();
      const head = parts.map((p) => p.trim()).filter(Boolean);
      const response = await fetch(list.dataset.source + "?q=" + encodeURIComponent(last), {credentials: "same-origin"});
      if (!response.ok) return;
      const data = await response.json();
      list.replaceChildren(...data.tags.filter((t) => !head.includes(t)).map(function (t) {
        const option = document.createElement("option");
        option.value = head.concat([t]).join(", ");
        return option;
      }));
    }, 150);
  });
})();
