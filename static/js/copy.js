// Copy buttons: <button data-copy="ID"> copies the value (or text) of the element with that id
// and says so beside the button ("Copied", in the page's language, from data-copied). Without
// the asynchronous clipboard (plain http on another host, older browsers) the text is selected
// and copied the old way; if even that is refused, it stays selected with a hint to press Ctrl+C.
(function () {
  function textOf(source) {
    return "value" in source ? source.value : source.textContent;
  }

  function select(source) {
    if ("select" in source) {
      source.focus();
      source.select();
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelection(source) {
    select(source);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function say(button, text) {
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (!status) return;
    status.textContent = text;
    clearTimeout(status.copyTimer);
    status.copyTimer = setTimeout(function () { status.textContent = ""; }, 4000);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const done = function () { say(button, button.dataset.copied); };
    const fallback = function () {
      if (copyBySelection(source)) done();
      else say(button, button.dataset.copyManual);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textOf(source)).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
