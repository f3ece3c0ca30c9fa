// Small behaviours shared by every page; no framework, no build step.
"use strict";

const Tianjiao = {
  csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  // fetch() for our JSON API from a logged-in page: the session cookie plus the CSRF header.
  async api(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": Tianjiao.csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, data };
  },
};
window.Tianjiao = Tianjiao;

document.addEventListener("submit", (event) => {
  const form = event.target;
  // A button may ask its own question (one form, several actions).
  const button = event.submitter;
  const question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.documentElement.classList.replace("no-js", "js");

// The phone menu: one button opens it; a click elsewhere closes it.
document.addEventListener("click", (event) => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  if (toggle.contains(event.target)) {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  } else if (!nav.contains(event.target)) {
    nav.classList.remove("open");
    toggle.setAttribute("aria-expanded", "false");
  }
});

// On a phone, tab rows scroll sideways: bring the current tab into view.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".subnav [aria-current=page], .tabs [aria-current=page]")
    .forEach((tab) => tab.scrollIntoView({ block: "nearest", inline: "center" }));
});
