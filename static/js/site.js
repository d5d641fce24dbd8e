// Selects marked data-autosubmit submit their form on change (the language switcher);
// without script the form's own button does the same.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});
