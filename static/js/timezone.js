// Tells the server the browser's time zone, so pages and download names show local dates
// (linkhome/viewerzone.py reads the cookie). Written only when it is missing or has changed.
(function () {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  const current = document.cookie.split("; ").find(function (pair) { return pair.indexOf("tz=") === 0; });
  if (current === "tz=" + zone) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
})();
