// The scoring page: live total, autosave through the JSON API, a local backup, submit with
// confirmation. Typing is never overwritten: server answers only change the status line.
"use strict";

(() => {
  const DEBOUNCE_MS = 1500;
  const RETRY_MS = [2000, 4000, 8000, 15000, 30000];

  function messages() {
    const node = document.getElementById("scoring-messages");
    return node ? JSON.parse(node.textContent) : {};
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_m, key) => (key in values ? values[key] : ""));
  }

  function pointsText(tenths) {
    return (tenths / 10).toFixed(1);
  }

  // A score as typed -> {empty}, {tenths} or {error: "number" | "range" | "step"}.
  function parseScore(text, maxTenths) {
    const value = text.trim().replace("，", ".").replace(",", ".");
    if (value === "") return { empty: true };
    const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[2] === "" && !match[3])) return { error: "number" };
    const number = parseFloat(value);
    if (match[1] && number !== 0) return { error: "range" };
    if (number * 10 > maxTenths + 1e-9) return { error: "range" };
    const fraction = (match[3] || "").replace(/0+$/, "");
    if (fraction.length > 1) return { error: "step" };
    return { tenths: parseInt(match[2] || "0", 10) * 10 + (fraction ? parseInt(fraction, 10) : 0) };
  }

  class Sheet {
    constructor(form) {
      this.form = form;
      this.text = messages();
      this.api = form.dataset.api;
      this.key = form.dataset.storageKey;
      this.revision = parseInt(form.dataset.revision || "0", 10);
      this.criteria = Array.from(form.querySelectorAll(".criterion")).map((node) => ({
        id: node.dataset.criterion,
        max: parseInt(node.dataset.max, 10),
        node,
        input: node.querySelector("input"),
        error: node.querySelector(".error"),
      }));
      this.comment = form.querySelector("textarea[name=comment]");
      // The note to the committee: saved with the sheet, never shown to teams.
      this.note = form.querySelector("textarea[name=committee_note]");
      this.status = document.getElementById("save-status");
      this.totalNode = document.getElementById("sheet-total");
      this.timer = null;
      this.inFlight = null;
      this.again = false;
      this.failures = 0;
      this.stopped = false;
      this.lastSent = this.snapshotKey();
    }

    start() {
      this.restoreBackup();
      this.form.addEventListener("input", () => this.changed());
      this.form.addEventListener("submit", (event) => this.onSubmit(event));
      this.criteria.forEach((c) => c.input.addEventListener("blur", () => this.checkField(c, false)));
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden") this.flushOnLeave();
      });
      window.addEventListener("pagehide", () => this.flushOnLeave());
      this.updateTotal();
      this.setupDialog();
    }

    // What the judge has typed: raw text per criterion, the feedback and the note.
    raw() {
      const values = {};
      this.criteria.forEach((c) => { values[c.id] = c.input.value; });
      return {
        values,
        comment: this.comment ? this.comment.value : "",
        note: this.note ? this.note.value : "",
      };
    }

    snapshotKey() {
      return JSON.stringify(this.raw());
    }

    payload(submit) {
      const scores = {};
      this.criteria.forEach((c) => {
        const parsed = parseScore(c.input.value, c.max);
        if (parsed.tenths !== undefined) scores[c.id] = parsed.tenths / 10;
      });
      const note = this.note ? this.note.value : "";
      return { scores, comment: this.comment ? this.comment.value : "", committee_note: note, submit };
    }

    showError(c, message) {
      c.error.textContent = message || "";
      c.error.hidden = !message;
      c.node.classList.toggle("has-error", Boolean(message));
      if (message) c.input.setAttribute("aria-invalid", "true");
      else c.input.removeAttribute("aria-invalid");
    }

    // Check one field as typed; `required` also flags an empty one.
    checkField(c, required) {
      if (c.input.validity && c.input.validity.badInput) {
        this.showError(c, this.text.number);
        return false;
      }
      const parsed = parseScore(c.input.value, c.max);
      if (parsed.error) {
        this.showError(c, fill(this.text[parsed.error], { max: pointsText(c.max).replace(/\.0$/, "") }));
        return false;
      }
      if (parsed.empty && required) {
        this.showError(c, this.text.missing);
        return false;
      }
      this.showError(c, "");
      return !parsed.empty || !required;
    }

    updateTotal() {
      let total = 0;
      this.criteria.forEach((c) => {
        const parsed = parseScore(c.input.value, c.max);
        if (parsed.tenths !== undefined) total += parsed.tenths;
      });
      if (this.totalNode) this.totalNode.textContent = pointsText(total);
      return total;
    }

    setStatus(message, kind) {
      if (!this.status) return;
      this.status.textContent = message;
      this.status.dataset.kind = kind || "";
    }

    changed() {
      this.criteria.forEach((c) => {
        if (document.activeElement === c.input || !c.error.hidden) this.checkField(c, false);
      });
      this.updateTotal();
      this.writeBackup();
      if (this.stopped) return;
      this.setStatus(this.text.unsaved, "pending");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.save(), DEBOUNCE_MS);
    }

    // Local backup: survives a reload or a lost connection. `base` is the last server
    // revision this tab knew; an older backup never overrides a newer save from elsewhere.
    writeBackup() {
      try {
        localStorage.setItem(this.key, JSON.stringify({ ...this.raw(), base: this.revision, at: Date.now() }));
      } catch (e) { /* storage full or disabled: autosave still works */ }
    }

    clearBackup() {
      try { localStorage.removeItem(this.key); } catch (e) { /* ignore */ }
    }

    restoreBackup() {
      let backup = null;
      try { backup = JSON.parse(localStorage.getItem(this.key) || "null"); } catch (e) { backup = null; }
      if (!backup) return;
      if (this.form.dataset.locked === "true" || backup.base < this.revision) {
        this.clearBackup();
        return;
      }
      const current = this.raw();
      const saved = { values: backup.values, comment: backup.comment, note: backup.note || "" };
      const differs = JSON.stringify(saved) !== JSON.stringify(current);
      if (!differs) return;
      this.criteria.forEach((c) => {
        if (backup.values && c.id in backup.values) c.input.value = backup.values[c.id];
        this.checkField(c, false);
      });
      if (this.comment && typeof backup.comment === "string") this.comment.value = backup.comment;
      if (this.note && typeof backup.note === "string") this.note.value = backup.note;
      this.updateTotal();
      this.setStatus(this.text.restored, "pending");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.save(), DEBOUNCE_MS);
    }

    // `force`: save even if nothing changed since the last save (the "save draft" button).
    async save(force) {
      if (this.stopped) return null;
      if (this.inFlight) {
        this.again = true;
        return this.inFlight;
      }
      const snapshot = this.snapshotKey();
      if (snapshot === this.lastSent && this.failures === 0 && !force) return null;
      this.setStatus(this.text.saving, "pending");
      this.inFlight = this.send(this.payload(false), snapshot);
      try {
        await this.inFlight;
      } finally {
        this.inFlight = null;
      }
      if (this.again) {
        this.again = false;
        return this.save();
      }
      return null;
    }

    async send(body, snapshot) {
      let result;
      try {
        result = await window.Tianjiao.api("PUT", this.api, body);
      } catch (e) {
        result = { ok: false, status: 0, data: null };
      }
      if (result.ok) return this.saved(result.data, snapshot);
      return this.failed(result);
    }

    saved(data, snapshot) {
      this.failures = 0;
      this.lastSent = snapshot;
      this.revision = data.revision;
      this.form.dataset.revision = String(data.revision);
      const time = new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour12: false });
      // Server-side errors of the fields just saved are gone; local ones stay, unsaved.
      const partial = this.criteria.map((c) => this.checkField(c, false)).includes(false);
      this.setStatus(fill(partial ? this.text.partial : this.text.saved, { time }), partial ? "error" : "ok");
      if (this.snapshotKey() === snapshot) this.clearBackup();
      else this.writeBackup();
    }

    failed(result) {
      if (result.status === 422) {
        this.showServerErrors(result.data);
        this.setStatus(this.text.invalid, "error");
        return;
      }
      if (result.status === 409) {
        this.stopped = true;
        const reason = result.data && result.data.detail ? result.data.detail : "";
        this.setStatus(fill(this.text.conflict, { reason }), "error");
        return;
      }
      this.failures += 1;
      const offline = result.status === 0 && navigator.onLine === false;
      const login = result.status === 401 || result.status === 403;
      this.setStatus(login ? this.text.login : offline ? this.text.offline : this.text.retrying, "error");
      const delay = RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)];
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.save(), delay);
    }

    showServerErrors(data) {
      const details = (data && Array.isArray(data.detail)) ? data.detail : [];
      details.forEach((error) => {
        const loc = error.loc || [];
        if (loc[1] !== "scores") return;
        const c = this.criteria.find((item) => item.id === String(loc[2]));
        if (c) this.showError(c, error.msg);
      });
    }

    flushOnLeave() {
      if (this.stopped || this.snapshotKey() === this.lastSent) return;
      this.writeBackup();
      try {
        fetch(this.api, {
          method: "PUT",
          credentials: "same-origin",
          keepalive: true,
          headers: { "Content-Type": "application/json", "X-CSRF-Token": window.Tianjiao.csrfToken() },
          body: JSON.stringify(this.payload(false)),
        });
      } catch (e) { /* the local backup keeps the input */ }
    }

    onSubmit(event) {
      const action = event.submitter ? event.submitter.value : "save";
      event.preventDefault();
      clearTimeout(this.timer);
      if (action !== "submit") {
        this.save(true);
        return;
      }
      const valid = this.criteria.map((c) => this.checkField(c, true)).every(Boolean);
      if (!valid) {
        const first = this.criteria.find((c) => !c.error.hidden);
        if (first) first.input.focus();
        return;
      }
      this.dialog.querySelector("[data-total]").textContent = pointsText(this.updateTotal());
      this.dialog.querySelector("[data-dialog-error]").hidden = true;
      if (typeof this.dialog.showModal === "function") this.dialog.showModal();
      else this.dialog.setAttribute("open", "");
    }

    setupDialog() {
      this.dialog = document.getElementById("confirm-dialog");
      if (!this.dialog) return;
      const close = () => (typeof this.dialog.close === "function" ? this.dialog.close() : this.dialog.removeAttribute("open"));
      this.dialog.querySelector("[data-cancel]").addEventListener("click", close);
      const confirm = this.dialog.querySelector("[data-confirm-submit]");
      confirm.addEventListener("click", async () => {
        confirm.disabled = true;
        if (this.inFlight) await this.inFlight.catch(() => null);
        let result;
        try {
          result = await window.Tianjiao.api("PUT", this.api, this.payload(true));
        } catch (e) {
          result = { ok: false, status: 0, data: null };
        }
        confirm.disabled = false;
        if (result.ok) {
          this.stopped = true;
          this.clearBackup();
          this.setStatus(this.text.submitted, "ok");
          window.location.reload();
          return;
        }
        const box = this.dialog.querySelector("[data-dialog-error]");
        if (result.status === 422) {
          this.showServerErrors(result.data);
          box.textContent = this.text.invalid;
          close();
        } else {
          box.textContent = result.data && typeof result.data.detail === "string" ? result.data.detail : this.text.retrying;
        }
        box.hidden = false;
      });
    }
  }

  // PDFs load only when their preview is opened; on wide screens the first one opens.
  function setupPreviews() {
    document.querySelectorAll("details.doc-preview").forEach((details) => {
      const frame = details.querySelector("iframe[data-src]");
      const load = () => { if (frame && !frame.src) frame.src = frame.dataset.src; };
      details.addEventListener("toggle", () => { if (details.open) load(); });
      if (details.hasAttribute("data-open-wide") && window.matchMedia("(min-width: 900px)").matches) {
        details.open = true;
        load();
      }
    });
  }

  // Buttons that copy a text field (the reminder on the progress page).
  function setupCopy() {
    document.querySelectorAll("[data-copy]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", async () => {
        const source = document.getElementById(button.dataset.copy);
        if (!source) return;
        try {
          await navigator.clipboard.writeText(source.value || source.textContent);
        } catch (e) {
          source.select();
          document.execCommand("copy");
        }
        button.textContent = button.dataset.done || button.textContent;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("sheet-form");
    if (form && form.dataset.locked !== "true") new Sheet(form).start();
    setupPreviews();
    setupCopy();
  });

  window.TianjiaoScoring = { parseScore };
})();
