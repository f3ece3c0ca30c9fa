// Advancement page: count the ticks per track and say when a reason will be needed.
"use strict";

(() => {
  const form = document.getElementById("advance-form");
  if (!form) return;
  const note = document.getElementById("reason-needed");

  function differs() {
    const typed = ["add", "remove"].some((name) => (form.elements[name]?.value || "").trim());
    const changed = [...form.querySelectorAll("input[name=entry]")].some(
      (box) => box.checked !== (box.closest("tr").dataset.default === "1"),
    );
    return typed || changed;
  }

  function refresh() {
    for (const section of form.querySelectorAll(".track-advance")) {
      const boxes = [...section.querySelectorAll("input[name=entry]")];
      for (const box of boxes) box.closest("tr").classList.toggle("picked", box.checked);
      const output = section.querySelector(".selected-count output");
      if (!output) continue;
      // Rows not shown (long tracks) keep their state: count only what changed here.
      const start = Number(output.dataset.start ?? output.textContent);
      output.dataset.start = String(start);
      const initial = boxes.filter((box) => box.defaultChecked).length;
      const now = start - initial + boxes.filter((box) => box.checked).length;
      output.textContent = String(now);
      const count = Number(section.dataset.count);
      output.parentElement.classList.toggle("over", now !== count);
    }
    if (note) {
      note.hidden = !differs();
      note.textContent = note.dataset.differs;
    }
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", (event) => {
    if (["add", "remove"].includes(event.target.name)) refresh();
  });
  refresh();
})();
