// The live final: polling the live state, timers from server time, the organiser's control
// page and the judges' live scoring page. The big screen (big_screen.js) uses the helpers.
"use strict";

(() => {
  const POLL_MS = 1000;
  const RETRY_MS = [2000, 4000, 8000];

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fill(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, (_m, key) => (key in values ? values[key] : ""));
  }

  // Seconds left -> "7:59"; overtime -> "+0:12".
  function clock(seconds) {
    const over = seconds < 0;
    const whole = over ? Math.ceil(-seconds) : Math.ceil(seconds);
    const text = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
    return over ? `+${text}` : text;
  }

  // Both timers of a live state at `nowMs` (server time): {remaining, mode} where mode is
  // "running", "stopped" or "idle" (not on stage). They stop where the state moved on.
  function timers(state, nowMs) {
    const t = state.timers;
    const onStage = state.phase === "pitching" || state.phase === "scoring";
    const at = (value) => (value ? Date.parse(value) : null);
    const pitchStart = at(t.pitch_started_at);
    const qaStart = at(t.qa_started_at);
    const scoringFrom = state.phase === "scoring" ? at(t.phase_changed_at) : null;
    const idle = (seconds) => ({ remaining: seconds, mode: "idle" });
    if (!onStage || pitchStart === null) return { pitch: idle(t.pitch_seconds), qa: idle(t.qa_seconds) };
    const measure = (start, end, seconds) => ({
      remaining: seconds - ((end === null ? nowMs : end) - start) / 1000,
      mode: end === null ? "running" : "stopped",
    });
    const pitchEnd = qaStart !== null ? qaStart : scoringFrom;
    return {
      pitch: measure(pitchStart, pitchEnd, t.pitch_seconds),
      qa: qaStart === null ? idle(t.qa_seconds) : measure(qaStart, scoringFrom, t.qa_seconds),
    };
  }

  // Polls a URL every second; `offset` turns this device's clock into the server's.
  class Poller {
    constructor(url, onState, onTrouble) {
      this.url = url;
      this.onState = onState;
      this.onTrouble = onTrouble || (() => {});
      this.offset = 0;
      this.etag = null;
      this.failures = 0;
      this.timer = null;
    }

    start(initial) {
      if (initial) this.accept(initial);
      this.schedule(POLL_MS);
    }

    now() {
      return Date.now() + this.offset;
    }

    accept(data) {
      if (data && data.timers && data.timers.now) this.offset = Date.parse(data.timers.now) - Date.now();
      this.onState(data);
    }

    schedule(delay) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.poll(), delay);
    }

    async poll() {
      try {
        // The state we have is named by its ETag: an unchanged state answers 304, empty.
        const headers = { Accept: "application/json" };
        if (this.etag) headers["If-None-Match"] = this.etag;
        const response = await fetch(this.url, { credentials: "same-origin", cache: "no-store", headers });
        if (response.status !== 304) {
          if (!response.ok) throw new Error(String(response.status));
          this.etag = response.headers.get("ETag");
          this.accept(await response.json());
        }
        if (this.failures) this.onTrouble(false);
        this.failures = 0;
        this.schedule(document.visibilityState === "hidden" ? POLL_MS * 5 : POLL_MS);
      } catch (e) {
        this.failures += 1;
        this.onTrouble(true);
        this.schedule(RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)]);
      }
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The timers are painted four times a second on every phone and screen of the hall, and
  // their text changes once a second at most: writing the same text again would still make
  // the browser lay the page out and paint it again, a drain on a judge's phone battery.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function setHidden(node, hidden) {
    if (node.hidden !== hidden) node.hidden = hidden;
  }

  function paintTimer(node, timer) {
    if (!node) return;
    setText(node.querySelector("[data-timer-value]"), clock(timer.remaining));
    node.classList.toggle("running", timer.mode === "running" && timer.remaining >= 0);
    node.classList.toggle("over", timer.mode !== "idle" && timer.remaining < 0);
    node.classList.toggle("idle", timer.mode === "idle");
  }

  window.TianjiaoLive = { Poller, readJson, fill, clock, timers, element, paintTimer, setText };

  // ---- The organiser's control page -------------------------------------------------

  function setupControl(root) {
    const text = readJson("live-messages") || {};
    const hints = readJson("live-hints") || {};
    let state = readJson("live-snapshot");
    const api = root.dataset.api;
    const part = (name) => root.querySelector(`[data-live="${name}"]`);
    const error = part("error");

    function phaseLabel(s) {
      return s.stage === "qa" ? text.qa : text[s.phase];
    }

    // The judges: on stage, those of the project with their sheet; otherwise every judge
    // of the round. Each says whether their live page reported in within the last minute.
    function renderPanel(s) {
      const list = part("panel");
      const onStage = s.panel && s.panel.length;
      const lines = onStage ? s.panel : ((s.presence && s.presence.judges) || []);
      list.replaceChildren(...lines.map((line) => {
        const state = onStage ? line.state : "todo";
        const item = element("li", `state-${state} ${line.online ? "online" : "offline"}`);
        const mark = element("span", "mark");
        mark.setAttribute("aria-hidden", "true");
        const presence = line.online ? text.online : text.offline_judge;
        item.append(mark, element("span", "name", line.name),
          element("span", "state", onStage ? `${text[state]} · ${presence}` : presence));
        return item;
      }));
      part("panel-empty").hidden = lines.length > 0;
    }

    // One step is put forward for the phase (next_step); "also" steps are secondary; the
    // overrides are apart, each with a reason and a confirmation.
    function visible(form, s) {
      const role = form.dataset.role;
      const step = form.dataset.step;
      if (role === "next") return step === s.next_step;
      if (role === "also") return step === "score" && s.next_step === "qa";
      if (step === "reveal") return (s.phase === "pitching" || s.phase === "scoring") && s.submitted < s.expected;
      if (step === "finish") return s.phase === "revealed" && s.order.some((item) => !item.revealed);
      return false;
    }

    function renderSteps(s) {
      let overrides = 0;
      root.querySelectorAll("[data-role]").forEach((node) => {
        node.hidden = !visible(node, s);
        if (node.dataset.role === "override" && !node.hidden) overrides += 1;
        const button = node.querySelector("button[type=submit]");
        if (!button) return;
        let allowed = s.actions.includes(node.dataset.step);
        // Reveal is put forward once every judge has submitted; before, the override.
        if (node.dataset.role === "next" && node.dataset.step === "reveal") allowed = allowed && s.submitted >= s.expected;
        if (node.dataset.role === "override" && node.dataset.step === "reveal") allowed = allowed && s.submitted > 0;
        button.disabled = !allowed;
      });
      part("danger-empty").hidden = overrides > 0;
      let hint = hints[s.next_step || "done"] || "";
      if (s.next_step === "reveal" && s.submitted < s.expected) {
        hint = `${hint} ${fill(text.waiting_for, { n: s.expected - s.submitted, m: s.expected })}`;
      }
      part("hint").textContent = hint;
    }

    // Before the start: the pre-flight checklist, refreshed every few seconds.
    let checks = readJson("live-checks") || [];
    function renderChecks() {
      part("checks-card").hidden = state.phase !== "waiting";
      part("checks").replaceChildren(...checks.map((c) => {
        const item = element("li", c.ok ? "ok" : "fail");
        const mark = element("span", "mark");
        mark.setAttribute("aria-hidden", "true");
        const body = element("span");
        body.append(element("strong", "", c.title), document.createTextNode(" "), element("span", "muted small", c.detail));
        item.append(mark, body);
        return item;
      }));
    }
    async function refreshChecks() {
      if (state.phase === "waiting") {
        try {
          const response = await fetch(`${api}/preflight`, { credentials: "same-origin", headers: { Accept: "application/json" } });
          if (response.ok) { checks = (await response.json()).checks; renderChecks(); }
        } catch (e) { /* the next round of checks will tell */ }
      }
      setTimeout(refreshChecks, 5000);
    }

    function renderOrder(s) {
      part("order").replaceChildren(...s.order.map((item) => {
        const current = item.entry_id === s.current_entry_id ? "state-current " : "";
        const li = element("li", `${current}state-${item.revealed ? "done" : "upcoming"}`);
        const body = element("span", "live-order-text");
        body.append(element("span", "live-order-title", item.title),
          element("span", "muted small", `${item.institution} · ${item.track_name}`));
        li.append(element("span", "live-pos", item.position ? String(item.position) : "·"), body);
        return li;
      }));
    }

    function renderRevealed(s) {
      part("revealed").replaceChildren(...s.revealed.map((r) => {
        const row = element("tr");
        const score = element("td", "num");
        score.append(element("strong", "", r.score_text));
        const totals = element("td", "live-totals");
        r.judges.forEach((j) => totals.append(element("span", j.dropped ? "dropped" : "", pointsText(Math.round(j.total * 10)))));
        row.append(element("td", "", r.title), score, totals);
        return row;
      }));
      part("revealed-empty").hidden = s.revealed.length > 0;
      part("revealed-table").hidden = s.revealed.length === 0;
    }

    function renderNextChoice(s) {
      const select = part("next-choice");
      const chosen = select.value;
      const first = select.options[0];
      const options = s.order
        .filter((item) => !item.revealed && item.entry_id !== s.current_entry_id)
        .map((item) => {
          const option = element("option", "", `${item.position}. ${item.title}`);
          option.value = String(item.entry_id);
          return option;
        });
      select.replaceChildren(first, ...options);
      if (options.some((o) => o.value === chosen)) select.value = chosen;
    }

    function render(s) {
      const current = s.current;
      const badge = part("phase");
      badge.textContent = phaseLabel(s);
      badge.className = `badge live-phase phase-${s.stage === "qa" ? "qa" : s.phase}`;
      part("position").textContent = current && current.position
        ? fill(text.position, { n: current.position, m: s.order.length }) : "";
      part("title").textContent = current ? current.title : text.no_project;
      part("team").textContent = current ? `${current.institution} · ${current.leader_name} · ${current.track_name}` : "";
      part("count").textContent = current ? fill(text.scored, { n: s.submitted, m: s.expected }) : "";
      renderPanel(s);
      renderOrder(s);
      renderRevealed(s);
      renderNextChoice(s);
      root.querySelectorAll("[data-live=revision]").forEach((input) => { input.value = String(s.revision); });
      renderSteps(s);
      const drawForm = part("draw-form");
      if (drawForm) drawForm.hidden = s.phase !== "waiting";
      part("finished-note").hidden = s.phase !== "finished";
      part("checks-card").hidden = s.phase !== "waiting";
    }

    const poller = new Poller(api, (s) => { state = s; render(s); }, (down) => {
      if (down) { error.textContent = text.offline; error.hidden = false; } else error.hidden = true;
    });

    root.querySelectorAll("form.live-step").forEach((form) => {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        event.stopPropagation();
        const reason = form.querySelector("input[name=override_reason]");
        if (reason && !reason.value.trim()) { reason.reportValidity(); return; }
        const failed = checks.filter((c) => !c.ok).map((c) => c.title);
        if (form.dataset.step === "start" && failed.length
          && !window.confirm(fill(text.start_anyway, { checks: failed.join(", ") }))) return;
        if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
        const body = { action: form.dataset.step, revision: state.revision };
        const choice = form.querySelector("select[name=entry_id]");
        if (choice && choice.value) body.entry_id = parseInt(choice.value, 10);
        if (reason) body.override_reason = reason.value.trim();
        const button = form.querySelector("button[type=submit]");
        button.disabled = true;
        const result = await window.Tianjiao.api("POST", api, body);
        if (result.ok) {
          error.hidden = true;
          if (reason) reason.value = "";
          poller.accept(result.data);
          return;
        }
        const detail = result.data && result.data.detail;
        const message = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : detail || String(result.status);
        error.textContent = fill(text.failed, { reason: message });
        error.hidden = false;
        render(state);
      });
    });

    const tick = () => {
      const both = timers(state, poller.now());
      paintTimer(root.querySelector("[data-timer=pitch]"), both.pitch);
      paintTimer(root.querySelector("[data-timer=qa]"), both.qa);
    };
    poller.start(state);
    tick();
    setInterval(tick, 250);
    renderChecks();
    setTimeout(refreshChecks, 5000);
  }

  // ---- The pre-flight check page -----------------------------------------------------

  function setupPreflight(root) {
    const text = readJson("live-messages") || {};
    const part = (name) => root.querySelector(`[data-pf="${name}"]`);
    function render(data) {
      const failed = data.checks.filter((c) => !c.ok).length;
      const summary = part("summary");
      summary.textContent = failed ? fill(text.failed, { n: failed, m: data.checks.length }) : text.ready;
      summary.className = `badge live-ready ${failed ? "fail" : "ok"}`;
      part("checks").replaceChildren(...data.checks.map((c) => {
        const item = element("li", c.ok ? "ok" : "fail");
        item.dataset.check = c.key;
        const mark = element("span", "mark");
        mark.setAttribute("aria-hidden", "true");
        const body = element("span", "live-check-text");
        body.append(element("strong", "", c.title), element("span", "muted", c.detail));
        item.append(mark, body, element("span", "live-check-state", c.ok ? text.passed : text.not_yet));
        if (c.fix_url && !c.ok) {
          const link = element("a", "live-check-fix", text.fix);
          link.href = c.fix_url;
          item.append(link);
        }
        return item;
      }));
      part("judges").replaceChildren(...data.judges.map((j) => {
        const row = element("tr", j.online ? "online" : "offline");
        const name = element("td");
        const dot = element("span", "dot");
        dot.setAttribute("aria-hidden", "true");
        name.append(dot, document.createTextNode(` ${j.name}`));
        const seen = j.seen_at ? new Date(j.seen_at).toLocaleTimeString([], { hour12: false }) : text.never;
        row.append(name, element("td", "num", String(j.entries)),
          element("td", "", `${seen} · ${j.online ? text.online : text.offline}`));
        return row;
      }));
      part("screens").replaceChildren(element("strong", "", fill(text.screens, { n: data.screens })));
    }
    new Poller(root.dataset.api, render).start(readJson("live-snapshot"));
  }

  // Judges' pages and the hall's big screen say every few seconds that they are open
  // (the pre-flight check and the control page show who is online).
  function reportIn(url, body, seconds) {
    const send = () => {
      if (document.visibilityState === "hidden") return;
      const headers = { "Content-Type": "application/json" };
      if (window.Tianjiao) headers["X-CSRF-Token"] = window.Tianjiao.csrfToken();
      fetch(url, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body || {}) })
        .catch(() => {});
    };
    send();
    setInterval(send, seconds * 1000);
    document.addEventListener("visibilitychange", send);
  }
  window.TianjiaoLive.reportIn = reportIn;

  // ---- The judges' live page -----------------------------------------------------------

  // A score as typed -> {empty}, {tenths} or {error: "number" | "range" | "step"}.
  function parseScore(raw, maxTenths) {
    const value = raw.trim().replace("，", ".").replace(",", ".");
    if (value === "") return { empty: true };
    const match = /^(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[1] === "" && !match[2])) return { error: "number" };
    if (parseFloat(value) * 10 > maxTenths + 1e-9) return { error: "range" };
    const fraction = (match[2] || "").replace(/0+$/, "");
    if (fraction.length > 1) return { error: "step" };
    return { tenths: parseInt(match[1] || "0", 10) * 10 + (fraction ? parseInt(fraction, 10) : 0) };
  }

  function pointsText(tenths) {
    return (tenths / 10).toFixed(1);
  }

  class LiveSheet {
    constructor(root) {
      this.root = root;
      this.text = readJson("live-messages") || {};
      this.state = readJson("live-snapshot");
      this.form = document.getElementById("live-sheet");
      this.sheetApi = root.dataset.sheetApi;
      this.prefix = root.dataset.storagePrefix;
      this.criteria = Array.from(this.form.querySelectorAll(".criterion")).map((node) => ({
        id: node.dataset.criterion,
        max: parseInt(node.dataset.max, 10),
        node,
        input: node.querySelector("input"),
        error: node.querySelector(".error"),
      }));
      this.comment = this.form.querySelector("textarea[name=comment]");
      // The note to the committee: saved with the sheet, never shown to teams.
      this.note = this.form.querySelector("textarea[name=committee_note]");
      this.status = this.root.querySelector("[data-sheet=status]");
      this.totalNode = this.root.querySelector("[data-sheet=total]");
      this.dialog = document.getElementById("live-confirm");
      this.entryId = null;
      this.loading = null;
      this.revision = 0;
      this.locked = false;
      this.saveTimer = null;
      this.inFlight = null;
      this.lastSent = "";
    }

    start() {
      this.form.addEventListener("input", () => this.changed());
      this.form.addEventListener("submit", (event) => this.askToSubmit(event));
      this.dialog.querySelector("[data-cancel]").addEventListener("click", () => this.dialog.close());
      this.dialog.querySelector("[data-confirm-submit]").addEventListener("click", () => this.submit());
      window.addEventListener("pagehide", () => this.writeBackup());
      this.poller = new Poller(this.root.dataset.api, (s) => this.follow(s), (down) => {
        this.root.querySelector("[data-sheet=offline]").hidden = !down;
      });
      this.poller.start(this.state);
      this.tick();
      setInterval(() => this.tick(), 250);
    }

    view(name) {
      this.root.querySelectorAll("[data-view]").forEach((node) => { node.hidden = node.dataset.view !== name; });
    }

    follow(s) {
      this.state = s;
      const phase = s.stage === "qa" ? "qa" : s.phase;
      this.root.querySelector("[data-sheet=phase]").textContent = this.text[phase] || "";
      const onStage = (s.phase === "pitching" || s.phase === "scoring") && s.current;
      const target = onStage ? s.current.entry_id : null;
      if (target !== this.entryId) this.switchTo(target, s);
      if (!target) {
        this.view(s.phase === "finished" ? "finished" : "waiting");
        this.root.querySelector("[data-sheet=revealed-note]").hidden = s.phase !== "revealed";
      }
    }

    tick() {
      const node = this.root.querySelector("[data-sheet=timer]");
      const both = timers(this.state, this.poller.now());
      const running = both.qa.mode !== "idle" ? both.qa : both.pitch;
      setHidden(node, running.mode === "idle");
      setText(node, clock(running.remaining));
      node.classList.toggle("over", running.remaining < 0);
    }

    storageKey(entryId) {
      return `${this.prefix}:${entryId}`;
    }

    async switchTo(target, s) {
      const previous = this.entryId;
      const unsaved = previous !== null && !this.locked && this.snapshotKey() !== this.lastSent;
      const pending = unsaved ? this.payload(false) : null;
      clearTimeout(this.saveTimer);
      this.entryId = target;
      this.locked = false;
      this.lastSent = "";
      if (pending) this.put(pending, previous);  // the last input of the pitch that ended
      if (target === null) return;
      const current = s.current;
      this.root.querySelectorAll("[data-sheet=title]").forEach((n) => { n.textContent = current.title; });
      this.root.querySelector("[data-sheet=team]").textContent = `${current.institution} · ${current.leader_name}`;
      this.root.querySelector("[data-sheet=position]").textContent =
        fill(this.text.position, { n: current.position, m: s.order.length });
      const url = this.sheetApi.replace("{entry}", String(target));
      let result;
      try {
        result = await window.Tianjiao.api("GET", url);
      } catch (e) {
        result = { ok: false, status: 0, data: null };
      }
      if (this.entryId !== target) return;
      if (result.status === 404) { this.view("not-assigned"); return; }
      if (!result.ok) { this.entryId = null; return; }  // tried again on the next poll
      this.load(result.data);
    }

    load(sheet) {
      this.revision = sheet.revision;
      this.criteria.forEach((c) => {
        const value = sheet.scores[c.id];
        c.input.value = value === undefined ? "" : String(value);
        this.showError(c, "");
      });
      this.comment.value = sheet.comment || "";
      if (this.note) this.note.value = sheet.committee_note || "";
      this.lastSent = this.snapshotKey();
      this.setStatus("", "");
      if (sheet.state === "submitted") { this.lock(sheet.total); return; }
      this.criteria.forEach((c) => { c.input.disabled = false; });
      this.comment.disabled = false;
      if (this.note) this.note.disabled = false;
      this.restoreBackup();
      this.updateTotal();
      this.view("scoring");
    }

    lock(total) {
      this.locked = true;
      this.criteria.forEach((c) => { c.input.disabled = true; });
      this.comment.disabled = true;
      if (this.note) this.note.disabled = true;
      this.clearBackup();
      this.root.querySelector("[data-sheet=done]").textContent =
        fill(this.text.submitted_total, { total: pointsText(Math.round(Number(total) * 10)) });
      this.view("submitted");
    }

    raw() {
      const values = {};
      this.criteria.forEach((c) => { values[c.id] = c.input.value; });
      return { values, comment: this.comment.value, note: this.note ? this.note.value : "" };
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
      return { scores, comment: this.comment.value, committee_note: note, submit };
    }

    showError(c, message) {
      c.error.textContent = message || "";
      c.error.hidden = !message;
      c.node.classList.toggle("has-error", Boolean(message));
    }

    checkField(c, required) {
      const parsed = parseScore(c.input.value, c.max);
      if (parsed.error) {
        this.showError(c, fill(this.text[parsed.error], { max: pointsText(c.max).replace(/\.0$/, "") }));
        return false;
      }
      if (parsed.empty && required) { this.showError(c, this.text.missing); return false; }
      this.showError(c, "");
      return true;
    }

    updateTotal() {
      let total = 0;
      this.criteria.forEach((c) => {
        const parsed = parseScore(c.input.value, c.max);
        if (parsed.tenths !== undefined) total += parsed.tenths;
      });
      this.totalNode.textContent = pointsText(total);
      return total;
    }

    setStatus(message, kind) {
      this.status.textContent = message;
      this.status.dataset.kind = kind;
    }

    changed() {
      if (this.locked || this.entryId === null) return;
      this.criteria.forEach((c) => this.checkField(c, false));
      this.updateTotal();
      this.writeBackup();
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.save(), 1200);
    }

    // Unsent input survives a reload or a lost connection; an older backup never wins
    // over a newer save made elsewhere.
    writeBackup() {
      if (this.entryId === null || this.locked) return;
      try {
        localStorage.setItem(this.storageKey(this.entryId),
          JSON.stringify({ ...this.raw(), base: this.revision, at: Date.now() }));
      } catch (e) { /* storage full or disabled: autosave still works */ }
    }

    clearBackup() {
      try { localStorage.removeItem(this.storageKey(this.entryId)); } catch (e) { /* ignore */ }
    }

    restoreBackup() {
      let backup = null;
      try { backup = JSON.parse(localStorage.getItem(this.storageKey(this.entryId)) || "null"); } catch (e) { backup = null; }
      if (!backup || backup.base < this.revision) { this.clearBackup(); return; }
      const saved = { values: backup.values, comment: backup.comment, note: backup.note || "" };
      if (JSON.stringify(saved) === this.snapshotKey()) return;
      this.criteria.forEach((c) => {
        if (backup.values && c.id in backup.values) c.input.value = backup.values[c.id];
        this.checkField(c, false);
      });
      if (typeof backup.comment === "string") this.comment.value = backup.comment;
      if (this.note && typeof backup.note === "string") this.note.value = backup.note;
      this.setStatus(this.text.restored, "pending");
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.save(), 600);
    }

    async save() {
      clearTimeout(this.saveTimer);
      if (this.locked || this.entryId === null) return;
      if (this.inFlight) { await this.inFlight; }
      const key = this.snapshotKey();
      if (key === this.lastSent) return;
      const entryId = this.entryId;
      this.setStatus(this.text.saving, "pending");
      this.inFlight = this.put(this.payload(false));
      const result = await this.inFlight;
      this.inFlight = null;
      if (entryId !== this.entryId) return;
      if (result.ok) {
        this.revision = result.data.revision;
        this.lastSent = key;
        const time = new Date().toLocaleTimeString(document.documentElement.lang || undefined, { hour12: false });
        this.setStatus(fill(this.text.saved, { time }), "ok");
        if (this.snapshotKey() === key) this.clearBackup();
      } else if (result.status === 422) {
        this.serverErrors(result.data);
        this.setStatus(this.text.invalid, "error");
      } else if (result.status === 409) {
        this.setStatus(fill(this.text.conflict, { reason: result.data ? result.data.detail : "" }), "error");
      } else {
        this.setStatus(this.text.retrying, "error");
        this.saveTimer = setTimeout(() => this.save(), 3000);
      }
    }

    async put(body, entryId) {
      const url = this.sheetApi.replace("{entry}", String(entryId === undefined ? this.entryId : entryId));
      try {
        return await window.Tianjiao.api("PUT", url, body);
      } catch (e) {
        return { ok: false, status: 0, data: null };
      }
    }

    serverErrors(data) {
      const details = data && Array.isArray(data.detail) ? data.detail : [];
      details.forEach((error) => {
        const loc = error.loc || [];
        const c = this.criteria.find((item) => loc[1] === "scores" && item.id === String(loc[2]));
        if (c) this.showError(c, error.msg);
      });
    }

    askToSubmit(event) {
      event.preventDefault();
      if (this.locked) return;
      const valid = this.criteria.map((c) => this.checkField(c, true)).every(Boolean);
      if (!valid) {
        const first = this.criteria.find((c) => !c.error.hidden);
        if (first) first.input.focus();
        return;
      }
      this.dialog.querySelector("[data-total]").textContent = pointsText(this.updateTotal());
      this.dialog.querySelector("[data-dialog-error]").hidden = true;
      this.dialog.showModal();
    }

    async submit() {
      const confirm = this.dialog.querySelector("[data-confirm-submit]");
      confirm.disabled = true;
      clearTimeout(this.saveTimer);
      if (this.inFlight) await this.inFlight;
      const result = await this.put(this.payload(true));
      confirm.disabled = false;
      if (result.ok) {
        this.dialog.close();
        this.lock(result.data.total);
        return;
      }
      const box = this.dialog.querySelector("[data-dialog-error]");
      if (result.status === 422) this.serverErrors(result.data);
      box.textContent = result.status === 422 ? this.text.invalid
        : fill(this.text.conflict, { reason: result.data && result.data.detail ? result.data.detail : this.text.retrying });
      box.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const control = document.getElementById("live-control");
    if (control) setupControl(control);
    const check = document.getElementById("live-preflight");
    if (check) setupPreflight(check);
    const judge = document.getElementById("judge-live");
    if (judge) {
      new LiveSheet(judge).start();
      reportIn(judge.dataset.presenceApi, {}, parseInt(judge.dataset.reportEvery, 10) || 15);
    }
  });
})();
