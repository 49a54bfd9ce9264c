"use strict";
// The execution report: reads the run's JSON, fills the summary, the states tree with timelines,
// the event list and the details panel. Long lists render only their visible rows.
(function () {
  const DATA = JSON.parse(document.getElementById("run-data").textContent);
  const EX = DATA.execution, STATES = DATA.states, VISITS = DATA.visits, EVENTS = DATA.events;
  const ROW = 26;
  const TOTAL = Math.max(1, EX.duration || EVENTS.reduce((most, e) => Math.max(most, e[2] || 0), 0));
  let selectedVisit = null, selectedNode = null;

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }
  function duration(ms) {
    if (ms == null) return "";
    if (ms < 1000) return Math.round(ms) + " ms";
    const s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + Math.round(s % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  function pretty(text) {
    if (text == null) return "";
    if (typeof text !== "string") return JSON.stringify(text, null, 2);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function status(s) { return el("span", {class: "status " + s, text: s.replace("-", " ")}); }
  const RANK = {failed: 0, running: 1, caught: 2, retried: 3, succeeded: 4};
  function worst(list) { return list.reduce((a, b) => (RANK[b] < RANK[a] ? b : a), "succeeded"); }

  // ------------------------------------------------------------------ summary
  document.getElementById("title").append(EX.machine + " · " + EX.name, status(EX.status));
  const summary = document.getElementById("summary");
  for (const [label, value] of [["Status", EX.status], ["Started", EX.start], ["Ended", EX.end || "—"],
      ["Duration", duration(EX.duration)], ["State transitions", String(EX.transitions)],
      ["Events", String(EVENTS.length)], ["Execution ARN", EX.arn]]) {
    summary.append(el("div", {}, el("dt", {text: label}), el("dd", {text: value || ""})));
  }
  if (EX.error || EX.cause) {
    document.getElementById("banner").hidden = false;
    document.getElementById("banner-error").textContent = EX.error || "";
    document.getElementById("banner-cause").textContent = EX.cause || "";
  }

  // ------------------------------------------------------------------ a virtual list
  function VList(container, render) {
    const spacer = el("div", {class: "spacer"});
    container.append(spacer);
    let rows = [];
    const draw = () => {
      const first = Math.max(0, Math.floor(container.scrollTop / ROW) - 5);
      const last = Math.min(rows.length, first + Math.ceil(container.clientHeight / ROW) + 10);
      spacer.replaceChildren();
      for (let i = first; i < last; i++) {
        const row = render(rows[i]);
        row.style.top = (i * ROW) + "px";
        spacer.append(row);
      }
    };
    container.addEventListener("scroll", draw);
    return {
      set(list) {
        rows = list;
        spacer.style.height = (rows.length * ROW) + "px";
        container.style.height = Math.min(360, Math.max(3, rows.length) * ROW + 2) + "px";   // no empty space
        draw();
      },
      redraw: draw,
      reveal(index) {
        if (index < 0) return;
        const top = index * ROW;
        if (top < container.scrollTop || top > container.scrollTop + container.clientHeight - ROW)
          container.scrollTop = Math.max(0, top - container.clientHeight / 3);
        draw();
      },
    };
  }

  // ------------------------------------------------------------------ the states tree
  // Children of a visit: Map iterations / Parallel branches become group rows holding their visits.
  const children = new Map(), roots = [];
  VISITS.forEach((v, i) => {
    if (v.parent == null) { roots.push(i); return; }
    if (!children.has(v.parent)) children.set(v.parent, new Map());
    const lanes = children.get(v.parent);
    const lane = v.lane == null ? -1 : v.lane;
    if (!lanes.has(lane)) lanes.set(lane, []);
    lanes.get(lane).push(i);
  });
  const open = new Set();   // expanded row keys
  function groupKey(parent, lane) { return "g" + parent + ":" + lane; }
  function laneLabel(parent, lane) {
    return VISITS[parent].type === "Map" ? "Iteration " + lane : "Branch " + (lane + 1);
  }
  function laneVisits(parent, lane) { return children.get(parent).get(lane); }
  // Open by default: every visit, and lanes unless a Map has more than 50 of them.
  VISITS.forEach((v, i) => {
    open.add("v" + i);
    const lanes = children.get(i);
    if (lanes && lanes.size <= 50) for (const lane of lanes.keys()) open.add(groupKey(i, lane));
  });
  function flatten() {
    const out = [];
    const walk = (i, depth) => {
      out.push({kind: "visit", visit: i, depth, key: "v" + i});
      const lanes = children.get(i);
      if (!lanes || !open.has("v" + i)) return;
      for (const [lane, list] of [...lanes.entries()].sort((a, b) => a[0] - b[0])) {
        const key = groupKey(i, lane);
        out.push({kind: "group", parent: i, lane, depth: depth + 1, key});
        if (open.has(key)) for (const c of list) walk(c, depth + 2);
      }
    };
    roots.forEach(i => walk(i, 0));
    return out;
  }
  function bar(t0, t1, cls) {
    const left = 100 * (t0 || 0) / TOTAL;
    const width = 100 * Math.max(0, (t1 == null ? TOTAL : t1) - (t0 || 0)) / TOTAL;
    const b = el("span", {class: "bar " + cls});
    b.style.left = left + "%"; b.style.width = width + "%";
    return b;
  }
  function timeline(v) {
    const track = el("div", {class: "bar-track"});
    track.append(bar(v.t0, v.t1, v.status));
    // Attempts drawn over it: failed ones red, the gaps between them (the Retry's backoff) hatched.
    v.attempts.forEach((a, k) => {
      if (k > 0) {
        const prev = v.attempts[k - 1];
        track.append(bar(prev[1], a[0], "backoff"));
      }
      track.append(bar(a[0], a[1], a[2] ? "err" : "ok"));
    });
    track.title = v.attempts.length > 1 ? v.attempts.length + " attempts" : duration((v.t1 ?? TOTAL) - v.t0);
    return track;
  }
  const stateRows = VList(document.getElementById("states"), row => {
    const toggle = el("span", {class: "toggle"});
    const hasKids = row.kind === "visit" ? children.has(row.visit) : true;
    if (hasKids) toggle.textContent = open.has(row.key) ? "▾" : "▸";
    toggle.addEventListener("click", ev => {
      ev.stopPropagation();
      if (open.has(row.key)) open.delete(row.key); else open.add(row.key);
      refreshStates();
    });
    const name = el("span", {}, toggle);
    name.style.paddingLeft = (row.depth * 14) + "px";
    if (row.kind === "group") {
      const list = laneVisits(row.parent, row.lane);
      const first = VISITS[list[0]], last = VISITS[list[list.length - 1]];
      name.append(laneLabel(row.parent, row.lane));
      const st = worst(list.map(i => VISITS[i].status));
      const track = el("div", {class: "bar-track"}, bar(first.t0, last.t1, st));
      return el("div", {class: "row group states-grid", "data-key": row.key,
                        onclick: () => { open.add(row.key); refreshStates(); }},
                name, el("span", {text: ""}), el("span", {}, status(st)), el("span", {text: duration(first.t0)}),
                el("span", {text: duration(last.t1 == null ? null : last.t1 - first.t0)}), track);
    }
    const v = VISITS[row.visit];
    name.append(v.name);
    if (v.attempts.length > 1) name.append(el("span", {class: "hint", text: "  ↻ " + (v.attempts.length - 1)}));
    const iters = Object.entries(v.iterations || {}).map(([k, n]) => n + " " + k.toLowerCase()).join(", ");
    if (iters) name.append(el("span", {class: "hint", text: "  (" + iters + ")"}));
    return el("div", {class: "row states-grid" + (row.visit === selectedVisit ? " selected" : ""),
                      "data-visit": String(row.visit), "data-node": v.node,
                      onclick: () => select(row.visit, v.node, "table")},
              name, el("span", {text: v.type}), el("span", {}, status(v.status)), el("span", {text: duration(v.t0)}),
              el("span", {text: v.t1 == null ? "" : duration(v.t1 - v.t0)}), timeline(v));
  });
  let flat = [];
  function refreshStates() {
    flat = flatten();
    document.getElementById("states-count").textContent = VISITS.length + " entered";
    stateRows.set(flat);
  }
  document.getElementById("expand").addEventListener("click", () => {
    VISITS.forEach((v, i) => { open.add("v" + i); const l = children.get(i); if (l) for (const k of l.keys()) open.add(groupKey(i, k)); });
    refreshStates();
  });
  document.getElementById("collapse").addEventListener("click", () => { open.clear(); refreshStates(); });

  // ------------------------------------------------------------------ events
  const KINDS = {
    errors: t => /(Failed|TimedOut|Aborted)$/.test(t),
    state: t => /State(Entered|Exited)$/.test(t),
    task: t => /^(Task|LambdaFunction|Activity)/.test(t),
    map: t => /^(Map|Parallel)/.test(t),
    execution: t => t.startsWith("Execution"),
  };
  const detailText = EVENTS.map(e => { const d = JSON.stringify(e[5]); return d === "{}" ? "" : d; });
  function visitName(i) { return i == null ? "" : VISITS[i].name; }
  const eventRows = VList(document.getElementById("events"), i => {
    const e = EVENTS[i];
    return el("div", {class: "row events-grid" + (KINDS.errors(e[3]) ? " error-event" : "") +
                        (e[4] != null && e[4] === selectedVisit ? " selected" : ""), "data-event": String(e[0]),
                      onclick: () => { if (e[4] != null) select(e[4], VISITS[e[4]].node, "events"); }},
              el("span", {text: String(e[0])}), el("span", {text: e[3]}), el("span", {text: visitName(e[4])}),
              el("span", {text: duration(e[2])}), el("span", {text: detailText[i], title: detailText[i].slice(0, 2000)}));
  });
  function refreshEvents() {
    const kind = document.getElementById("event-kind").value;
    const query = document.getElementById("event-search").value.toLowerCase();
    const onlySelected = document.getElementById("event-selected").checked;
    const nodeVisits = new Set(VISITS.map((v, i) => i).filter(i => VISITS[i].node === selectedNode));
    const list = [];
    for (let i = 0; i < EVENTS.length; i++) {
      const e = EVENTS[i];
      if (kind !== "all" && !KINDS[kind](e[3])) continue;
      if (onlySelected && !nodeVisits.has(e[4])) continue;
      if (query && !(e[3].toLowerCase().includes(query) || visitName(e[4]).toLowerCase().includes(query) ||
                     detailText[i].toLowerCase().includes(query))) continue;
      list.push(i);
    }
    document.getElementById("events-count").textContent = list.length + " of " + EVENTS.length;
    eventRows.set(list);
  }
  for (const id of ["event-kind", "event-search", "event-selected"])
    for (const type of ["input", "change"]) document.getElementById(id).addEventListener(type, refreshEvents);

  // ------------------------------------------------------------------ selection and details
  const visitsOf = {};
  VISITS.forEach((v, i) => { (visitsOf[v.node] = visitsOf[v.node] || []).push(i); });
  function select(visit, node, from) {
    selectedVisit = visit; selectedNode = node;
    document.querySelectorAll("#graph .selected").forEach(g => g.classList.remove("selected"));
    const g = [...document.querySelectorAll("#graph g[data-node]")].find(n => n.getAttribute("data-node") === node);
    if (g) g.classList.add("selected");
    if (visit != null) {   // open the rows above it, then scroll to it
      for (let v = visit; v != null; v = VISITS[v].parent) {
        open.add("v" + v);
        const p = VISITS[v].parent;
        if (p != null) open.add(groupKey(p, VISITS[v].lane == null ? -1 : VISITS[v].lane));
      }
      refreshStates();
      if (from !== "table") stateRows.reveal(flat.findIndex(r => r.kind === "visit" && r.visit === visit));
    } else stateRows.redraw();
    refreshEvents();
    showDetails(node, visit);
  }
  function showDetails(node, visit) {
    const box = document.getElementById("details");
    const st = STATES[node] || {name: visit != null ? VISITS[visit].name : node, type: "", notes: [], retry: []};
    const kids = [el("h3", {text: st.name}), el("div", {}, st.type + (st.detail ? " · " + st.detail : "") + "  ",
                                               status(visit != null ? VISITS[visit].status : (st.status || "not-entered")))];
    if (st.notes && st.notes.length) kids.push(el("div", {class: "notes", text: st.notes.join(" · ")}));
    const mine = visitsOf[node] || [];
    if (visit == null) {
      kids.push(el("p", {class: "hint", text: "This state was not entered in this execution."}));
    } else {
      const v = VISITS[visit];
      const k = mine.indexOf(visit);
      if (mine.length > 1) {
        const where = v.lane == null ? "" : " (" + (VISITS[v.parent] && VISITS[v.parent].type === "Map" ? "iteration " : "branch ") + v.lane + ")";
        kids.push(el("div", {class: "nav"},
          el("button", {type: "button", text: "◀", onclick: () => select(mine[Math.max(0, k - 1)], node)}),
          el("span", {text: "Visit " + (k + 1) + " of " + mine.length + where}),
          el("button", {type: "button", text: "▶", onclick: () => select(mine[Math.min(mine.length - 1, k + 1)], node)})));
      }
      kids.push(el("h4", {text: "Input"}), el("pre", {class: "input", text: pretty(v.entered == null ? null : EVENTS[v.entered][5].input)}));
      kids.push(el("h4", {text: "Output"}),
                el("pre", {class: "output", text: v.exited == null ? "(no output: the state did not finish)" : pretty(EVENTS[v.exited][5].output)}));
      if (v.attempts.length) {
        const rows = v.attempts.map((a, n) => el("tr", {},
          el("td", {text: String(n + 1)}), el("td", {text: duration(a[0])}),
          el("td", {text: a[1] == null ? "" : duration(a[1] - a[0])}),
          el("td", {text: n > 0 && v.attempts[n - 1][1] != null ? duration(a[0] - v.attempts[n - 1][1]) : ""}),
          el("td", {text: a[2] ? a[2] + (a[3] ? ": " + a[3] : "") : "ok"})));
        kids.push(el("h4", {text: "Attempts" + (st.retry && st.retry.length ? " · Retry " + st.retry.join("; ") : "")}),
                  el("table", {class: "attempts"}, el("tr", {}, el("th", {text: "#"}), el("th", {text: "Started"}),
                     el("th", {text: "Took"}), el("th", {text: "Backoff"}), el("th", {text: "Result"})), ...rows));
      }
      const own = [];
      EVENTS.forEach(e => { if (e[4] === visit) own.push(e); });
      kids.push(el("h4", {text: "Events (" + own.length + ")"}),
                el("table", {class: "visit-events"}, ...own.slice(0, 200).map(e => el("tr", {},
                  el("td", {text: String(e[0])}), el("td", {text: e[3]}), el("td", {text: duration(e[2])})))));
    }
    if (st.source) kids.push(el("h4", {text: "Definition"}), el("pre", {text: pretty(st.source)}));
    box.replaceChildren(...kids);
  }
  document.querySelectorAll("#graph g[data-node]").forEach(g => g.addEventListener("click", () => {
    const node = g.getAttribute("data-node");
    const mine = visitsOf[node] || [];
    // The failing visit first, then the first one.
    const pick = mine.find(i => VISITS[i].status === "failed") ?? mine[0];
    select(pick == null ? null : pick, node, "graph");
  }));

  refreshStates();
  refreshEvents();
  if (EX.failedVisit != null) select(EX.failedVisit, VISITS[EX.failedVisit].node, "init");
})();
