// The big screen of the live final: follows the public live state, nothing to click.
"use strict";

(() => {
  const L = window.TianjiaoLive;

  // Chinese has no spaces: without help a browser breaks a title between any two
  // characters ("支/架"). Words of a title (Intl.Segmenter's dictionary) become the only
  // places to break (<wbr>; the CSS says keep-all); one-character words and punctuation
  // stay with the word before, so no line ever holds a single character.
  const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

  function words(text) {
    const units = [];
    for (const { segment } of segmenter.segment(text)) {
      const last = units.length ? units[units.length - 1] : null;
      const glue = last !== null && (segment.length < 2 || last.length < 2
        || !/[\p{L}\p{N}]/u.test(segment) || /^\s/.test(segment));
      if (glue) units[units.length - 1] += segment;
      else units.push(segment);
    }
    return units;
  }

  function phrase(node, text) {
    const value = text || "";
    if (!segmenter || !CJK.test(value)) {
      node.textContent = value;
      return node;
    }
    const parts = [];
    words(value).forEach((unit, i) => {
      if (i) parts.push(document.createElement("wbr"));
      parts.push(document.createTextNode(unit));
    });
    node.replaceChildren(...parts);
    return node;
  }

  // A title this long steps its type down a size on the big screen (three lines at most).
  const LONG_TITLE = 22;
  const MEDALS = ["gold", "silver", "bronze"];

  function totalText(total) {
    return Number.isInteger(Math.round(total * 10 * 1000) / 1000) ? total.toFixed(1) : total.toFixed(2);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("big-screen");
    if (!root || !L) return;
    const text = { ...L.readJson("live-messages"), ...L.readJson("bs-messages") };
    let state = L.readJson("live-snapshot");
    const part = (name) => root.querySelector(`[data-bs="${name}"]`);
    const views = Array.from(root.querySelectorAll("[data-bs-view]"));
    const el = L.element;
    const phrased = (tag, className, value) => phrase(el(tag, className), value);
    const setTitle = (node, value) => {
      phrase(node, value);
      node.classList.toggle("long", (value || "").length > LONG_TITLE);
    };
    root.querySelectorAll(".bs-title, .bs-team").forEach((node) => setTitle(node, node.textContent.trim()));

    function show(name) {
      views.forEach((view) => { view.hidden = view.dataset.bsView !== name; });
    }

    function orderItem(s, entryId) {
      return s.order.find((item) => item.entry_id === entryId) || null;
    }

    function positionText(s, item) {
      return item && item.position ? L.fill(text.position, { n: item.position, m: s.order.length }) : "";
    }

    function renderOrder(s) {
      part("order").replaceChildren(...s.order.map((item) => {
        const li = el("li");
        li.append(el("span", "bs-order-pos", item.position ? String(item.position) : "·"),
          phrased("span", "bs-order-title", item.title), el("span", "bs-order-track", item.track_name));
        return li;
      }));
    }

    function renderStage(s) {
      const item = s.current;
      part("position").textContent = positionText(s, item);
      part("track").textContent = item ? item.track_name : "";
      setTitle(part("title"), item ? item.title : "");
      phrase(part("team"), item ? `${item.institution} · ${item.leader_name}` : "");
      part("scored").textContent = s.phase === "scoring" && s.submitted < s.expected
        ? `${text.scoring_now} · ${L.fill(text.scored, { n: s.submitted, m: s.expected })}`
        : L.fill(text.scored, { n: s.submitted, m: s.expected });
      const dots = [];
      for (let i = 0; i < s.expected; i += 1) dots.push(el("span", i < s.submitted ? "on" : ""));
      part("dots").replaceChildren(...dots);
    }

    function renderRevealed(s) {
      const revealed = s.revealed.find((r) => r.entry_id === s.current_entry_id) || s.revealed[s.revealed.length - 1];
      if (!revealed) return;
      const item = orderItem(s, revealed.entry_id);
      part("revealed-position").textContent = positionText(s, item);
      part("revealed-track").textContent = item ? item.track_name : "";
      setTitle(part("revealed-title"), revealed.title);
      phrase(part("revealed-team"), item ? `${item.institution} · ${item.leader_name}` : "");
      part("score").textContent = revealed.score_text;
      part("judges").style.setProperty("--judges", String(revealed.judges.length));
      part("judges").replaceChildren(...revealed.judges.map((judge) => {
        const li = el("li", judge.dropped ? "dropped" : "");
        li.append(el("span", "bs-seat", L.fill(text.judge, { n: judge.seat })),
          el("span", "bs-total", totalText(judge.total)));
        if (judge.dropped) li.setAttribute("title", text.dropped);
        return li;
      }));
      part("trim-note").hidden = !revealed.judges.some((judge) => judge.dropped);
    }

    function renderBoard(s) {
      const board = part("board");
      const tracks = s.leaderboard.filter((track) => track.entries.length);
      board.hidden = s.phase === "waiting" && !tracks.length;
      const heading = el("h2", "bs-board-title", s.phase === "finished" ? text.final_ranking : text.leaderboard);
      if (!tracks.length) {
        board.replaceChildren(heading, el("p", "bs-board-empty", text.none_yet));
        return;
      }
      const sections = tracks.map((track) => {
        const section = el("section", "bs-board-track");
        const list = el("ol", "bs-board-list");
        track.entries.forEach((line) => {
          const li = el("li", line.entry_id === s.current_entry_id && s.phase === "revealed" ? "just" : "");
          li.classList.toggle("top", line.rank === 1);  // every entry sharing first place
          const name = el("span", "bs-board-name");
          name.append(phrase(el("span", "bs-board-title-text"), line.title));
          li.append(el("span", "bs-rank", String(line.rank)), name);
          if (line.award_name) {
            const medal = MEDALS.includes(line.award) ? line.award : "other";
            li.classList.add(medal);
            li.append(el("span", `bs-medal ${medal}`, line.award_name));
          }
          li.append(el("span", "bs-board-score", line.score_text));
          // A shared rank said in words, with why it stands (or what separated an equal
          // score), on a line of its own under the title, as wide as the row.
          if (line.tie || line.tie_reason) {
            const why = el("span", "bs-tie-line");
            if (line.tie) why.append(el("span", "bs-tie", text.tie));
            if (line.tie_reason && line.tie_reason !== text.tie) {
              why.append(phrased("span", "bs-tie-reason", line.tie_reason));
            }
            li.append(why);
          }
          list.append(li);
        });
        section.append(el("h3", "", track.track_name), list);
        return section;
      });
      board.replaceChildren(heading, ...sections);
      board.style.setProperty("--tracks", String(tracks.length));
      const rows = tracks.reduce((sum, track) => sum + track.entries.length, 0);
      board.classList.toggle("dense", s.phase !== "finished" && rows > 12);
      const longest = Math.max(...tracks.map((track) => track.entries.length));
      board.classList.toggle("long", s.phase === "finished" && longest > 6);
    }

    // The state last drawn, without the server's clock. Every phone polls once a second,
    // and a state unchanged but for the clock (the page's own snapshot answered again, or
    // a poll the cached copy could not answer with 304) is not drawn again: drawing the
    // lists anew replaced every node on the screen, and a reader's selection with them.
    let drawn = null;
    // Keys sorted: the page's snapshot and the API's answer list them in different orders.
    const sortedWithoutClock = (name, value) => {
      if (name === "now") return undefined;
      if (!value || typeof value !== "object" || Array.isArray(value)) return value;
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, value[key]]));
    };

    function render(s) {
      state = s;
      const key = JSON.stringify(s, sortedWithoutClock);
      if (key === drawn) return;
      drawn = key;
      root.className = `bs phase-${s.phase}`;
      part("phase").textContent = s.stage === "qa" ? text.qa : text[s.phase];
      if (s.phase === "waiting") {
        show("waiting");
        renderOrder(s);
      } else if (s.phase === "pitching" || s.phase === "scoring") {
        show("stage");
        renderStage(s);
      } else if (s.phase === "revealed") {
        show("revealed");
        renderRevealed(s);
      } else {
        show("finished");
      }
      renderBoard(s);
      const notice = s.publication ? s.publication.notice : "";
      part("correction").textContent = notice;
      part("correction").hidden = !notice;
    }

    const poller = new L.Poller(root.dataset.api, render, (down) => { part("offline").hidden = !down; });

    const tick = () => {
      if (state.phase !== "pitching" && state.phase !== "scoring") return;
      const both = L.timers(state, poller.now());
      const qa = both.qa.mode !== "idle";
      const timer = qa ? both.qa : both.pitch;
      L.setText(part("timer-label"), qa ? text.qa_short : text.pitch);
      L.setText(part("timer-value"), L.clock(timer.remaining));
      const box = part("timer");
      box.classList.toggle("over", timer.remaining < 0);
      box.classList.toggle("stopped", timer.mode === "stopped");
    };
    poller.start(state);
    tick();
    setInterval(tick, 250);
    // Opened from the control page's link: this is the hall's screen, and it reports in.
    if (root.dataset.screenPass) {
      let id = "";
      try { id = sessionStorage.getItem("tj-screen-id") || ""; } catch (e) { id = ""; }
      if (!id) {
        id = Math.random().toString(36).slice(2, 12);
        try { sessionStorage.setItem("tj-screen-id", id); } catch (e) { /* one id per load then */ }
      }
      L.reportIn(`${root.dataset.api}/screens`, { screen_pass: root.dataset.screenPass, screen_id: id },
        parseInt(root.dataset.reportEvery, 10) || 15);
    }
  });
})();
