// Rubric editor: a running total of maximum points, and spare rows revealed on demand.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("rubric");
  if (!table) return;
  const total = document.getElementById("rubric-total");
  const addButton = document.getElementById("add-criterion");

  const recompute = () => {
    let tenths = 0;
    table.querySelectorAll(".rubric-max").forEach((input) => {
      const value = parseFloat(input.value);
      if (!Number.isNaN(value)) tenths += Math.round(value * 10);
    });
    total.textContent = (tenths / 10).toFixed(1);
  };

  const spare = () => Array.from(table.querySelectorAll("tr.spare-row"));
  spare().forEach((row) => { row.hidden = true; });
  if (spare().length) addButton.hidden = false;
  addButton.addEventListener("click", () => {
    const next = spare().find((row) => row.hidden);
    if (next) {
      next.hidden = false;
      next.querySelector("input").focus();
    }
    if (!spare().some((row) => row.hidden)) addButton.hidden = true;
  });
  table.addEventListener("input", recompute);
  recompute();
});
