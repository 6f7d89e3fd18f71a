// The console's pages, drawn from the JSON API. Everything shown comes in as
// data and is put in the page as text (never as HTML). Actions send the
// session's CSRF token; the server checks it and the role again.
"use strict";
(function () {
  const t = I18n.t;
  let session = null;
  let redraw = () => {};

  // ------------------------------------------------------------- helpers

  // An element: h("a", {href: "/"}, "text", child, ...).
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  class ApiError extends Error {}

  async function api(path, body) {
    const init = { headers: {}, credentials: "same-origin" };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = session?.csrf ?? "";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 401) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError(t("error", { message: "401" }));
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(data.error || `HTTP ${res.status}`);
    return data;
  }

  function say(text, isError = false) {
    const status = document.getElementById("status");
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  // Puts `nodes` (those not null) in the page's content.
  function show(...nodes) {
    document.getElementById("content").replaceChildren(...nodes.flat(Infinity).filter((n) => n));
  }
  const isOperator = () => session?.role === "operator";
  const when = (iso) => (iso ? new Date(iso).toLocaleString(I18n.lang === "en" ? "en-GB" : "nl-NL") : "");
  const query = () => new URLSearchParams(location.search);

  function duration(seconds) {
    const s = Number(seconds) || 0;
    if (s < 120) return `${s} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} d`;
  }

  // A table in a focusable scroll box (readable when zoomed), with a caption.
  function table(caption, headers, rows, testid) {
    const t_ = h("table", { "data-testid": testid },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows));
    return h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": caption }, t_);
  }

  function field(id, label, input) {
    return h("p", { class: "field" }, h("label", { for: id }, label), input);
  }

  function select(id, name, options, value) {
    return h("select", { id, name },
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  }

  // A search form whose fields are the page's query string.
  function searchForm(fields, submitLabel) {
    const form = h("form", { class: "search", method: "get", action: location.pathname }, fields,
      h("p", { class: "field" }, h("button", { type: "submit" }, submitLabel)));
    return form;
  }

  function failures(list) {
    if (!list || list.length === 0) return null;
    return h("p", { class: "error", role: "alert" },
      t("unreachable_some", { list: list.map((f) => `${f.process} (${f.error})`).join(", ") }));
  }

  let adapters = [];
  async function adapterNames() {
    if (adapters.length === 0) {
      const o = await api("/api/overview");
      adapters = o.processes.filter((p) => p.adapter).map((p) => p.name);
    }
    return adapters;
  }

  function processSelect(value) {
    return select("process", "process", [["", t("all")], ...adapters.map((a) => [a, a])], value);
  }

  // ------------------------------------------------------------ overview

  let timer = null;
  let paused = false;

  async function overview() {
    document.getElementById("title").textContent = t("overview.title");
    const o = await api("/api/overview");
    adapters = o.processes.filter((p) => p.adapter).map((p) => p.name);
    drawAlerts(o.alerts);
    const processes = o.processes.map((p) => h("tr", { "data-process": p.name },
      h("th", { scope: "row" }, p.name),
      h("td", {}, h("span", { class: `health health-${p.health.toLowerCase()}` }, p.health),
        p.error ? h("span", { class: "detail" }, ` ${p.error}`) : null),
      h("td", {}, p.version),
      h("td", {}, p.health === "UNREACHABLE" ? "" : duration(p.uptime_seconds)),
      h("td", { "data-count": "attention" }, String(p.attention.length),
        p.attention.length ? h("ul", { class: "attention" },
          p.attention.map((a) => h("li", {}, `${a.kind}: ${a.detail}`))) : null)));
    const flows = o.flows.map((f) => {
      const cell = (what) => h("td", { class: "num", "data-count": what }, String(f[what]));
      const spark = (what) => Charts.sparkline(f.series[what],
        t("chart.label", { what: t(what), minutes: o.window_minutes, total: f[what],
          max: Math.max(0, ...f.series[what]) }), what);
      return h("tr", { "data-flow": `${f.process}/${f.destination}` },
        h("th", { scope: "row" }, f.process),
        h("td", {}, f.destination),
        cell("received"), cell("delivered"), cell("failed"), cell("queued"),
        h("td", { class: f.dead > 0 ? "num bad" : "num", "data-count": "dead" },
          f.dead > 0 ? h("a", { href: `/dead-letters?process=${encodeURIComponent(f.process)}` +
            `&destination=${encodeURIComponent(f.destination)}` }, String(f.dead)) : "0"),
        h("td", { class: "charts" }, spark("received"), spark("delivered"), spark("failed")));
    });
    const toggle = h("button", { type: "button", id: "pause", "aria-pressed": String(paused),
      onclick: () => { paused = !paused; toggle.setAttribute("aria-pressed", String(paused));
        toggle.textContent = paused ? t("resume") : t("pause"); } },
    paused ? t("resume") : t("pause"));
    show(
      h("p", {}, toggle),
      h("h2", {}, t("overview.processes")),
      table(t("overview.processes_caption"), [t("process"), t("health"), t("version"), t("uptime"),
        t("attention")], processes, "processes"),
      h("h2", {}, t("overview.flows")),
      table(t("overview.flows_caption"), [t("process"), t("destination"), t("received"),
        t("delivered"), t("failed"), t("queued"), t("dead"), t("chart")], flows, "flows"));
    say(t("refreshed", { time: when(o.at) }));
    clearTimeout(timer);
    timer = setTimeout(function again() {
      if (paused || location.pathname !== "/") { timer = setTimeout(again, 5000); return; }
      overview().catch((e) => say(t("error", { message: e.message }), true));
    }, 5000);
  }

  function drawAlerts(alerts) {
    const box = document.getElementById("alerts");
    if (!alerts || alerts.length === 0) { box.replaceChildren(); box.className = ""; return; }
    box.className = "banner";
    box.replaceChildren(h("section", { "aria-labelledby": "alerts-title" },
      h("h2", { id: "alerts-title" }, t("overview.alerts")),
      h("ul", { "data-testid": "alerts" }, alerts.map((a) => h("li", {},
        h("strong", {}, a.rule), ` — ${a.subject}: ${a.summary} `,
        a.advice ? h("span", { class: "detail" }, a.advice) : null)))));
  }

  // -------------------------------------------------------- dead letters

  function reasonField() {
    return h("div", { class: "reason" },
      field("why", t("dead.reason"), h("input", { id: "why", name: "why", required: true,
        minlength: "5", "aria-describedby": "why-hint" })),
      h("p", { id: "why-hint", class: "hint" }, t("dead.reason_hint")));
  }

  function reason() {
    const input = document.getElementById("why");
    if (!input.reportValidity()) return null;
    return input.value.trim();
  }

  async function deadLetters() {
    document.getElementById("title").textContent = t("dead.title");
    await adapterNames();
    const q = query();
    const data = await api(`/api/dead-letters?${q}`);
    const rows = data.items.map((d) => h("tr", { "data-id": `${d.process}/${d.id}` },
      h("td", {}, d.process), h("td", {}, String(d.id)), h("td", {}, d.destination),
      h("td", {}, d.key), h("td", {}, d.topic), h("td", { class: "num" }, String(d.attempts)),
      h("td", { class: "detail" }, d.last_error),
      h("td", { class: "actions" },
        h("a", { href: `/message?process=${encodeURIComponent(d.process)}&kind=delivery&id=${d.id}` },
          t("view")),
        isOperator() ? [
          h("button", { type: "button", "data-action": "retry",
            onclick: () => act(d, "retry") }, t("retry")),
          h("button", { type: "button", "data-action": "skip",
            onclick: () => act(d, "skip") }, t("skip"))] : null)));
    show(
      searchForm([
        field("process", t("process"), processSelect(q.get("process") || "")),
        field("destination", t("destination"), h("input", { id: "destination", name: "destination",
          value: q.get("destination") || "" }))], t("filter")),
      failures(data.failures),
      isOperator() ? reasonField() : null,
      isOperator() && data.items.length > 0 ? h("p", {}, h("button", { type: "button",
        id: "retry-all", onclick: retryAll }, t("dead.retry_all"))) : null,
      rows.length ? table(t("dead.title"), [t("process"), t("id"), t("destination"), t("key"),
        t("topic"), t("attempts"), t("last_error"), t("actions")], rows, "dead-letters")
        : h("p", { "data-testid": "none" }, t("none")));
    say(t("found", { count: data.items.length }));
  }

  async function act(d, verb) {
    const why = reason();
    if (why === null) return;
    try {
      const after = await api("/api/dead-letters/action",
        { process: d.process, id: d.id, verb, why });
      await deadLetters();
      say(t("action.done", { verb: t(verb), id: d.id, state: after.state }));
    } catch (e) {
      say(t("error", { message: e.message }), true);
    }
  }

  async function retryAll() {
    const why = reason();
    if (why === null) return;
    const q = query();
    try {
      const r = await api("/api/dead-letters/retry-all",
        { process: q.get("process") || "", destination: q.get("destination") || "", why });
      await deadLetters();
      say(t("dead.done", { count: r.results.filter((x) => x.ok).length }));
    } catch (e) {
      say(t("error", { message: e.message }), true);
    }
  }

  // ------------------------------------------------------------- history

  const periods = () => [["1h", t("period.1h")], ["24h", t("period.24h")],
    ["168h", t("period.168h")], ["", t("period.all")]];

  async function history() {
    document.getElementById("title").textContent = t("history.title");
    await adapterNames();
    const q = query();
    if (!q.has("since")) q.set("since", "24h");
    const form = searchForm([
      field("process", t("process"), processSelect(q.get("process") || "")),
      field("destination", t("destination"), h("input", { id: "destination", name: "destination",
        value: q.get("destination") || "" })),
      field("key", t("key"), h("input", { id: "key", name: "key", value: q.get("key") || "" })),
      field("event", t("event"), h("input", { id: "event", name: "event", value: q.get("event") || "" })),
      field("outcome", t("outcome"), select("outcome", "outcome", [["", t("all")],
        ...["delivered", "failed", "dead_lettered", "applied", "ignored", "rejected"]
          .map((o) => [o, o])], q.get("outcome") || "")),
      field("direction", t("direction"), select("direction", "direction", [["", t("all")],
        ["out", t("direction.out")], ["in", t("direction.in")]], q.get("direction") || "")),
      field("since", t("period"), select("since", "since", periods(), q.get("since"))),
      field("limit", t("limit"), select("limit", "limit",
        [["100", "100"], ["500", "500"], ["1000", "1000"]], q.get("limit") || "100")),
    ], t("search"));
    if (q.get("since") === "") q.delete("since");
    const data = await api(`/api/history?${q}`);
    const rows = data.items.map((e) => h("tr", {},
      h("td", {}, when(e.at)), h("td", {}, e.process), h("td", {}, t(`direction.${e.direction}`)),
      h("td", {}, e.destination), h("td", {}, e.key), h("td", {}, e.event_id),
      h("td", { class: `outcome outcome-${e.outcome}` }, e.outcome),
      h("td", { class: "detail" }, e.detail),
      h("td", {}, h("a", { href: `/message?process=${encodeURIComponent(e.process)}&kind=history&id=${e.id}` },
        t("view")))));
    show(form, failures(data.failures),
      rows.length ? table(t("history.title"), [t("at"), t("process"), t("direction"),
        t("destination"), t("key"), t("event"), t("outcome"), t("detail"), ""], rows, "history")
        : h("p", { "data-testid": "none" }, t("none")));
    say(t("found", { count: data.items.length }));
  }

  // ------------------------------------------------------------- message

  async function message() {
    document.getElementById("title").textContent = t("message.title");
    const q = query();
    const ask = { process: q.get("process") || "", kind: q.get("kind") || "", id: q.get("id") || "" };
    const m = await api(`/api/message?${new URLSearchParams(ask)}`);
    drawMessage(m, ask);
  }

  function drawMessage(m, ask) {
    const rows = [[t("process"), m.process], [t("id"), m.id], [t("destination"), m.destination],
      [t("key"), m.key], [t("event"), m.event_id], [t("topic"), m.topic]];
    if (m.kind === "delivery") {
      rows.push([t("state"), m.state], [t("attempts"), m.attempts], [t("last_error"), m.last_error]);
    } else {
      rows.push([t("at"), when(m.at)], [t("direction"), m.direction], [t("outcome"), m.outcome],
        [t("detail"), m.detail]);
    }
    const payloads = m.kind === "delivery" ? [["message.payload", m.payload]]
      : [["message.sent", m.sent], ["message.response", m.response]];
    const masked = payloads.reduce((n, [, p]) => n + p.masked, 0);
    const revealed = payloads.some(([, p]) => p.revealed);
    const parts = [
      h("dl", { class: "facts", "data-testid": "message" },
        rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v ?? ""))])),
      payloads.map(([label, p]) => [h("h2", {}, t(label)),
        h("pre", { class: p.revealed ? "payload revealed" : "payload masked", tabindex: "0",
          "data-testid": label }, p.text)]),
    ];
    if (!revealed && masked > 0) {
      parts.unshift(h("p", { class: "notice" }, t("message.masked", { count: masked })));
      if (isOperator()) {
        parts.push(h("form", { id: "reveal-form", onsubmit: (ev) => { ev.preventDefault(); reveal(ask); } },
          field("reveal-why", t("message.reveal_reason"), h("input", { id: "reveal-why",
            required: true, minlength: "5" })),
          h("p", {}, h("button", { type: "submit", id: "reveal" }, t("message.reveal")))));
      } else {
        parts.push(h("p", { class: "hint" }, t("message.readonly")));
      }
    }
    if (m.kind === "delivery" && m.state === "DELIVERY_STATE_DEAD" && isOperator()) {
      if (revealed) {
        parts.push(h("form", { id: "edit-form", onsubmit: (ev) => { ev.preventDefault(); edit(m); } },
          field("payload-edit", t("message.edit"), h("textarea", { id: "payload-edit", rows: "12" },
            m.payload.text)),
          reasonField(),
          h("p", {}, h("button", { type: "submit", id: "edit-send" }, t("message.edit_send")))));
      } else {
        parts.push(h("p", { class: "hint" }, t("message.actions_hint")));
      }
    }
    show(parts);
    say("");
  }

  async function reveal(ask) {
    const input = document.getElementById("reveal-why");
    if (!input.reportValidity()) return;
    try {
      const m = await api("/api/message/reveal", { ...ask, why: input.value.trim() });
      drawMessage(m, ask);
      say(t("message.revealed"));
    } catch (e) {
      say(t("error", { message: e.message }), true);
    }
  }

  async function edit(m) {
    const why = reason();
    if (why === null) return;
    try {
      const after = await api("/api/dead-letters/action", { process: m.process, id: m.id,
        verb: "edit", why, payload: document.getElementById("payload-edit").value });
      await message();
      say(t("action.done", { verb: t("message.edit_send"), id: m.id, state: after.state }));
    } catch (e) {
      say(t("error", { message: e.message }), true);
    }
  }

  // --------------------------------------------------------------- audit

  async function audit() {
    document.getElementById("title").textContent = t("audit.title");
    const q = query();
    if (!q.has("since")) q.set("since", "24h");
    const input = (name, label) => field(name, label, h("input", { id: name, name,
      value: q.get(name) || "" }));
    const form = searchForm([input("actor", t("actor")), input("action", t("action")),
      input("object", t("object")), input("child", t("child")),
      field("since", t("period"), select("since", "since", periods(), q.get("since")))], t("search"));
    if (q.get("since") === "") q.delete("since");
    const data = await api(`/api/audit?${q}`);
    const rows = data.items.map((e) => h("tr", {},
      h("td", {}, when(e.at)), h("td", {}, e.process), h("td", {}, e.actor),
      h("td", {}, e.action), h("td", {}, e.object_id), h("td", {}, e.child_ref),
      h("td", {}, e.outcome), h("td", {}, e.reason)));
    show(form, failures(data.failures),
      rows.length ? table(t("audit.title"), [t("at"), t("process"), t("actor"), t("action"),
        t("object"), t("child"), t("outcome"), t("reason")], rows, "audit")
        : h("p", { "data-testid": "none" }, t("none")));
    say(t("found", { count: data.items.length }));
  }

  // ------------------------------------------------------------ consents

  async function consents() {
    document.getElementById("title").textContent = t("consents.title");
    const result = h("div", { id: "consents-result" });
    const form = h("form", { id: "consent-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const child = document.getElementById("child");
      const why = document.getElementById("consent-why");
      if (!child.reportValidity() || !why.reportValidity()) return;
      try {
        const r = await api("/api/consents/lookup", { child: child.value.trim(), why: why.value.trim() });
        const rows = r.items.map((c) => h("tr", {},
          h("td", {}, c.id), h("td", {}, c.status.replace("CONSENT_STATUS_", "")),
          h("td", {}, c.purposes.map((p) => p.replace("PURPOSE_", "")).join(", ")),
          h("td", {}, c.recipients.join(", ")), h("td", { class: "num" }, String(c.grantors)),
          h("td", {}, when(c.valid_from)), h("td", {}, when(c.valid_until))));
        result.replaceChildren(rows.length ? table(t("consents.title"), [t("id"), t("state"),
          t("purposes"), t("recipients"), t("grantors"), t("valid_from"), t("valid_until")], rows,
        "consents") : h("p", { "data-testid": "none" }, t("none")));
        say(t("found", { count: r.items.length }));
      } catch (e) {
        say(t("error", { message: e.message }), true);
      }
    } },
    field("child", t("consents.child"), h("input", { id: "child", required: true,
      value: query().get("child") || "" })),
    field("consent-why", t("consents.why"), h("input", { id: "consent-why", required: true,
      minlength: "5", "aria-describedby": "consent-hint" })),
    h("p", { id: "consent-hint", class: "hint" }, t("consents.hint")),
    h("p", {}, h("button", { type: "submit" }, t("consents.lookup"))));
    show(form, result);
    say("");
  }

  // ------------------------------------------------------------- overdue

  async function overdue() {
    document.getElementById("title").textContent = t("overdue.title");
    const r = await api("/api/overdue");
    const rows = r.items.map((a) => h("tr", {}, h("td", {}, a.subject), h("td", {}, a.detail),
      h("td", {}, when(a.since))));
    show(rows.length ? table(t("overdue.title"), [t("subject"), t("detail"), t("since")], rows,
      "overdue") : h("p", { "data-testid": "none" }, t("overdue.none")));
    say(t("found", { count: r.items.length }));
  }

  // ---------------------------------------------------------- compliance

  async function compliance() {
    document.getElementById("title").textContent = t("compliance.title");
    const r = await api(`/api/compliance?${query()}`);
    const parts = [h("p", { "data-testid": "compliance-summary" }, t("compliance.summary",
      { year: r.school_year, ok: r.groups_meeting_minimum, risk: r.groups_at_risk }))];
    for (const l of r.locations) {
      const title = `${l.name || l.location_id} (${l.location_id})`;
      parts.push(h("h2", {}, title));
      parts.push(table(title, [t("group"), t("planned"), t("held"), t("minimum"), t("at_risk"),
        t("days_left")], l.groups.map((g) => h("tr", { class: g.at_risk ? "risk" : "",
        "data-group": `${l.location_id}/${g.group_id}` },
      h("th", { scope: "row" }, g.group_id), h("td", { class: "num" }, String(g.planned)),
      h("td", { class: "num" }, String(g.held)), h("td", { class: "num" }, String(g.minimum)),
      h("td", { class: g.at_risk ? "bad" : "" }, g.at_risk ? t("yes") : t("no")),
      h("td", { class: "num" }, String(g.plannable_days_left)))), `compliance-${l.location_id}`));
    }
    show(parts);
    say("");
  }

  // ----------------------------------------------------------- handovers

  async function handovers() {
    document.getElementById("title").textContent = t("handovers.title");
    const r = await api("/api/handovers");
    const forms = (list, key) => [h("h2", {}, t(key)), list.length ? table(t(key),
      [t("handover"), t("location"), t("school"), t("start_date"), t("warm"), t("updated")],
      list.map((x) => h("tr", {}, h("td", {}, x.handover_id),
        h("td", {}, x.location_name || x.location_id),
        h("td", {}, `${x.school?.brin ?? ""}${x.school?.vestiging ?? ""}`),
        h("td", {}, x.expected_start_date), h("td", {}, x.warm ? t("yes") : t("no")),
        h("td", {}, when(x.update_time)))), key.replace(".", "-"))
      : h("p", {}, t("none"))];
    show(
      forms(r.awaiting_consent, "handovers.awaiting_consent"),
      h("h2", {}, t("handovers.unsent")),
      r.school_error ? h("p", { class: "error" }, r.school_error) : null,
      r.unsent.length ? table(t("handovers.unsent"), [t("destination"), t("queued"), t("dead")],
        r.unsent.map((q) => h("tr", {}, h("td", {}, q.destination),
          h("td", { class: "num" }, String(q.pending)),
          h("td", { class: "num" }, Number(q.dead) > 0 ? h("a", { href:
            `/dead-letters?process=school&destination=${encodeURIComponent(q.destination)}` },
          String(q.dead)) : "0"))), "handovers-unsent") : h("p", {}, t("none")),
      forms(r.unacknowledged, "handovers.unacknowledged"),
      h("h2", {}, t("handovers.overdue")),
      r.overdue.length ? h("ul", { "data-testid": "handovers-overdue" },
        r.overdue.map((a) => h("li", {}, `${a.subject}: ${a.detail}`))) : h("p", {}, t("none")));
    say("");
  }

  // -------------------------------------------------------------- start

  const pages = { "/": overview, "/dead-letters": deadLetters, "/history": history,
    "/message": message, "/consents": consents, "/overdue": overdue, "/compliance": compliance,
    "/handovers": handovers, "/audit": audit };

  async function start() {
    session = await api("/api/session");
    const who = () => { document.getElementById("who").textContent =
      t("signed_in_as", { user: session.user, role: t(`role.${session.role}`) }); };
    const page = pages[location.pathname] ?? overview;
    redraw = () => { who(); page().catch((e) => say(t("error", { message: e.message }), true)); };
    I18n.setup(document.getElementById("lang"), redraw);
    for (const a of document.querySelectorAll("nav a")) {
      if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
    }
    document.getElementById("logout").addEventListener("click", async () => {
      await api("/api/logout", {}).catch(() => {});
      location.assign("/login");
    });
    say(t("loading"));
    redraw();
  }

  start().catch((e) => say(t("error", { message: e.message }), true));
})();
