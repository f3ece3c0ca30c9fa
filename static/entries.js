// Entry pages: show the company fields only for a track that needs them; stop
// over-sized uploads before they are sent; say that an upload is under way.
"use strict";

(function () {
  function syncCompanyFields(form) {
    const box = form.querySelector("[data-company-fields]");
    if (!box) return;
    const chosen = form.querySelector('input[name="track_code"]:checked');
    // Without a choice yet, show the fields: nothing is hidden from someone still deciding.
    const show = !chosen || chosen.dataset.requiresCompany === "yes";
    box.hidden = !show;
    // Hidden inputs are disabled so that they are not sent (a creative entry has no company).
    box.querySelectorAll("input").forEach((input) => { input.disabled = !show; });
  }

  document.querySelectorAll("form.entry-form").forEach((form) => {
    syncCompanyFields(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "track_code") syncCompanyFields(form);
    });
  });

  document.querySelectorAll("form[data-upload-limit]").forEach((form) => {
    const limit = Number(form.dataset.uploadLimit);
    const input = form.querySelector('input[type="file"]');
    const warning = form.querySelector("[data-too-large]");
    const button = form.querySelector('button[type="submit"]');
    if (!input || !button) return;
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      const tooLarge = Boolean(file && limit && file.size > limit);
      if (warning) warning.hidden = !tooLarge;
      button.disabled = tooLarge;
    });
    form.addEventListener("submit", () => {
      if (button.dataset.busyLabel) {
        button.textContent = button.dataset.busyLabel;
        // Disabled after the submit event has been handled, so the form is still sent once.
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  });
})();

// The organiser's list: select entries for a bulk action, count them, and ask before an
// action that changes the contest (exporting the selection asks nothing).
(function () {
  const form = document.querySelector("form[data-bulk]");
  if (!form) return;
  const boxes = () => Array.from(document.querySelectorAll('input[name="entry_ids"][form="bulk-form"]'));
  const all = document.querySelector("[data-bulk-all]");
  const count = form.querySelector("[data-bulk-count]");
  const action = form.querySelector("[data-bulk-action]");
  function refresh() {
    const chosen = boxes().filter((box) => box.checked).length;
    if (count) count.textContent = String(chosen);
    if (all) {
      all.checked = chosen > 0 && chosen === boxes().length;
      all.indeterminate = chosen > 0 && chosen < boxes().length;
    }
    if (action && action.value !== "export") form.setAttribute("data-confirm", form.dataset.confirmChange);
    else form.removeAttribute("data-confirm");
  }
  if (all) all.addEventListener("change", () => { boxes().forEach((box) => { box.checked = all.checked; }); refresh(); });
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[name="entry_ids"]') || event.target === action) refresh();
  });
  refresh();
})();
