// The window the "save this page as I see it" bookmarklet opens (snapshots/web/views/uploads.py).
// It takes the page only from its opener, only from the origin of the address it was opened for,
// says it is ready to that origin by name, and uploads only after the owner clicks Save.
(function () {
  "use strict";
  const root = document.getElementById("receive");
  if (!root) return;
  const byId = (id) => document.getElementById(id);
  const fail = (text) => {
    byId("receive-waiting").hidden = true;
    byId("receive-confirm").hidden = true;
    byId("receive-error").textContent = text;
    byId("receive-error").hidden = false;
    byId("receive-plain").hidden = false;
  };
  const message = (id) => byId(id).content.textContent.trim();

  let origin = "";
  try {
    const address = new URL(root.dataset.url);
    if (address.protocol === "http:" || address.protocol === "https:") origin = address.origin;
  } catch (_error) {
    origin = "";
  }
  const opener = window.opener;
  if (!origin || !opener) {
    // No opener: the page's Cross-Origin-Opener-Policy severed it (or this was opened by hand).
    fail(message("msg-severed"));
    return;
  }

  let page = null;
  const silence = window.setTimeout(() => {
    if (!page) fail(message("msg-silent"));
  }, 15000);

  window.addEventListener("message", (event) => {
    if (page || event.source !== opener || event.origin !== origin) return;
    const data = event.data;
    if (!data || data.type !== "linkhome:page" || typeof data.html !== "string" || data.url !== root.dataset.url) return;
    window.clearTimeout(silence);
    const blob = new Blob([data.html], { type: "text/html" });
    if (blob.size > Number(root.dataset.maxBytes)) {
      fail(message("msg-too-large"));
      return;
    }
    page = blob;
    byId("receive-title").textContent = String(data.title || "").slice(0, 300);
    byId("receive-size").textContent = `${Math.max(1, Math.round(blob.size / 1024))} KB`;
    byId("receive-waiting").hidden = true;
    byId("receive-confirm").hidden = false;
  });

  byId("receive-save").addEventListener("click", async () => {
    const button = byId("receive-save");
    button.disabled = true;
    const body = new FormData();
    body.append("url", root.dataset.url);
    body.append("file", page, "page.html");
    const token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    try {
      const response = await fetch(window.location.pathname, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (response.status !== 201) {
        fail((answer.errors || []).join(" ") || message("msg-failed"));
        return;
      }
      byId("receive-link").href = answer.link_url;
      byId("receive-confirm").hidden = true;
      byId("receive-done").hidden = false;
    } catch (_error) {
      fail(message("msg-failed"));
      button.disabled = false;
    }
  });

  opener.postMessage({ type: "linkhome:ready" }, origin);
})();
