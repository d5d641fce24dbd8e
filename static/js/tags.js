// Tags typed as chips. Enter, a comma (, ， 、) or a space ends a tag; a name in double quotes
// keeps its spaces ("政府 报告" is one tag). The form still sends the plain comma-separated
// field the server reads (a name with a space goes in quotes), so without this script the
// field works as typed. Suggestions come from the owner's own tags.
(function () {
  const source = document.getElementById("tag-suggestions");
  const SEPARATOR = /[,，、\s]/;

  // Split text into names on separators outside double quotes; `rest` is the unfinished tail.
  function parse(text) {
    const names = [];
    let current = "";
    let quoted = false;
    for (const ch of text) {
      if (ch === '"' || ch === "“" || ch === "”") {
        quoted = !quoted;
        current += ch;
      } else if (!quoted && SEPARATOR.test(ch)) {
        if (current.trim()) names.push(current);
        current = "";
      } else {
        current += ch;
      }
    }
    return {names: names.map(unquote).filter(Boolean), rest: current};
  }

  function unquote(name) {
    return name.trim().replace(/^["“](.*)["”]$/s, "$1").trim();
  }

  function serialise(names) {
    return names.map((n) => (/\s/.test(n) ? '"' + n + '"' : n)).join(", ");
  }

  function enhance(field) {
    const names = [];
    const box = document.createElement("div");
    box.className = "chips";
    const list = document.createElement("ul");
    list.className = "chip-list";
    list.setAttribute("role", "list");
    const entry = document.createElement("input");
    entry.className = "chip-entry";
    entry.autocomplete = "off";
    entry.enterKeyHint = "enter";
    if (source) entry.setAttribute("list", source.id);
    // The label names the field the person types in.
    entry.id = field.id;
    field.id = field.id + "-value";
    field.hidden = true;
    field.removeAttribute("list");
    const removeLabel = field.dataset.chipRemove || "×";

    function sync() {
      field.value = serialise(names);
    }

    function render() {
      list.replaceChildren(...names.map(function (name, i) {
        const chip = document.createElement("li");
        chip.className = "chip";
        chip.translate = false;  // the tag is the person's own word, as is the button's label after "Remove tag"
        chip.append(document.createTextNode(name));
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", removeLabel + " " + name);
        remove.addEventListener("click", function () {
          names.splice(i, 1);
          sync();
          render();
          entry.focus();
        });
        chip.append(remove);
        return chip;
      }));
    }

    function add(name) {
      if (name && !names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
    }

    function commitParsed() {
      const parsed = parse(entry.value);
      if (!parsed.names.length) return;
      parsed.names.forEach(add);
      entry.value = parsed.rest.replace(/^\s+/, "");
      sync();
      render();
    }

    function commitAll() {
      const parsed = parse(entry.value);
      parsed.names.forEach(add);
      add(unquote(parsed.rest));
      entry.value = "";
      sync();
      render();
    }

    parse(field.value).names.forEach(add);
    add(unquote(parse(field.value).rest));
    sync();
    render();

    entry.addEventListener("keydown", function (event) {
      if (event.isComposing || event.keyCode === 229) return;
      if (event.key === "Enter" && entry.value.trim()) {
        event.preventDefault();
        commitAll();
      } else if (event.key === "Backspace" && !entry.value && names.length) {
        names.pop();
        sync();
        render();
      }
    });
    let timer = null;
    entry.addEventListener("input", function (event) {
      if (event.isComposing) return;
      // A suggestion picked from the list is one whole tag, spaces and all.
      if (event.inputType === "insertReplacementText") {
        add(entry.value.trim());
        entry.value = "";
        sync();
        render();
        return;
      }
      commitParsed();
      suggest();
    });
    entry.addEventListener("compositionend", commitParsed);
    // The field's form (the entry is not in the page yet): a tag still being typed is sent too.
    if (field.form) field.form.addEventListener("submit", commitAll);

    function suggest() {
      if (!source) return;
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const typed = unquote(entry.value);
        const response = await fetch(source.dataset.source + "?q=" + encodeURIComponent(typed), {credentials: "same-origin"});
        if (!response.ok) return;
        const data = await response.json();
        const taken = new Set(names.map((n) => n.toLowerCase()));
        source.replaceChildren(...data.tags.filter((t) => !taken.has(t.toLowerCase())).map(function (t) {
          const option = document.createElement("option");
          option.value = t;
          return option;
        }));
      }, 150);
    }

    box.addEventListener("click", function (event) {
      if (event.target === box || event.target === list) entry.focus();
    });
    box.append(list, entry);
    field.after(box);
  }

  document.querySelectorAll('input[name="tags"]').forEach((field) => enhance(field));
})();
