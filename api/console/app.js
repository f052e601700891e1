// The Sluice operators' console: a single page over the API's /v1/ops/* routes, no build step.
// The token (sluice/operator scope) lives in sessionStorage; every call sends it as a bearer token.

const main = document.getElementById("main");
const TOKEN_KEY = "sluice.token";
let timer;
/** Share history per tenant for the fairness chart: [{at, share, fair}]. */
const history = new Map();

const esc = (v) =>
  String(v ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
const pct = (x) => `${(100 * (x ?? 0)).toFixed(0)}%`;
const json = (v) => esc(JSON.stringify(v, null, 2));
const ms = (n) =>
  n < 1000
    ? `${Math.round(n)} ms`
    : n < 60000
      ? `${(n / 1000).toFixed(1)} s`
      : `${(n / 60000).toFixed(1)} min`;

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, {
    ...options,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    showLogin(body.error?.message ?? "log in again");
    throw new Error(body.error?.message ?? "unauthorized");
  }
  if (!res.ok) throw new Error(`${body.error?.code ?? res.status}: ${body.error?.message ?? res.statusText}`);
  return body;
}

function showLogin(message) {
  document.getElementById("login").hidden = false;
  main.hidden = true;
  document.getElementById("login-error").textContent = message ?? "";
}

document.getElementById("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
  document.getElementById("login").hidden = true;
  main.hidden = false;
  route();
});
document.getElementById("logout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin("");
});

function whoAmI() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    document.getElementById("who").textContent = `operator ${claims.sub}`;
  } catch {
    document.getElementById("who").textContent = "";
  }
}

function fail(err) {
  main.insertAdjacentHTML("afterbegin", `<p class="error" data-testid="error">${esc(err.message)}</p>`);
}

// ---------- Tenants ----------

function chart(tenants) {
  const W = 900,
    H = 220,
    pad = 30;
  const names = tenants.map((t) => t.tenant);
  const all = names.flatMap((n) => history.get(n) ?? []);
  if (all.length === 0) return "<p class='muted'>collecting…</p>";
  const t0 = Math.min(...all.map((p) => p.at)),
    t1 = Math.max(...all.map((p) => p.at), t0 + 1);
  const x = (at) => pad + ((at - t0) / (t1 - t0)) * (W - 2 * pad);
  const y = (v) => H - pad - v * (H - 2 * pad);
  const colors = ["#2458d6", "#c0392b", "#1c8a4a", "#b86b00", "#7b3fb5", "#00838f"];
  let svg = `<svg width="${W}" height="${H}" data-testid="fairness-chart" role="img" aria-label="share of the fleet against fair share">`;
  svg += `<line x1="${pad}" y1="${y(0)}" x2="${W - pad}" y2="${y(0)}" stroke="#ccc"/><line x1="${pad}" y1="${y(1)}" x2="${W - pad}" y2="${y(1)}" stroke="#eee"/>`;
  svg += `<text x="2" y="${y(1) + 4}">100%</text><text x="8" y="${y(0) + 4}">0%</text>`;
  names.forEach((n, i) => {
    const pts = history.get(n) ?? [];
    const c = colors[i % colors.length];
    const line = (key) => pts.map((p) => `${x(p.at).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
    svg += `<polyline points="${line("share")}" fill="none" stroke="${c}" stroke-width="2" data-tenant="${esc(n)}" class="share-line"/>`;
    svg += `<polyline points="${line("fair")}" fill="none" stroke="${c}" stroke-dasharray="5 4" class="fair-line"/>`;
  });
  svg += "</svg>";
  const legend = names
    .map((n, i) => `<span style="color:${colors[i % colors.length]}">■ ${esc(n)}</span>`)
    .join("");
  return `${svg}<div class="legend">${legend}<span class="muted">solid: share of the fleet · dashed: fair share</span></div>`;
}

function tenantRow(t) {
  const throttled = Object.entries(t.throttled ?? {})
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(", ");
  return `<tr data-testid="tenant-row" data-tenant="${esc(t.tenant)}">
    <td>${esc(t.tenant)}${t.valid ? "" : ` <span class="error">invalid: ${esc(t.problems.join("; "))}</span>`}</td>
    <td><span class="badge ${esc(t.status)}">${esc(t.status ?? "-")}</span>${t.reason ? ` <span class="muted">${esc(t.reason)}</span>` : ""}</td>
    <td>${esc(t.tier ?? "-")}</td>
    <td class="num">${esc(t.weight ?? "-")}</td>
    <td class="num" data-testid="running-cap">${t.running} / ${esc(t.maxConcurrency ?? "-")}</td>
    <td class="num">${esc(t.minConcurrency ?? "-")}</td>
    <td class="num" data-testid="backlog">${esc(t.backlog ?? "-")}</td>
    <td class="num">${t.releasedPerSecond === null ? "-" : t.releasedPerSecond.toFixed(2)}</td>
    <td>${esc(throttled || "-")}</td>
    <td class="num" data-testid="share">${pct(t.share)}</td>
    <td class="num" data-testid="fair-share">${pct(t.fairShare)}</td>
  </tr>`;
}

async function tenantsPage() {
  const data = await api("/v1/ops/tenants");
  for (const t of data.tenants) {
    const h = history.get(t.tenant) ?? [];
    h.push({ at: Date.parse(data.at), share: t.share, fair: t.fairShare });
    if (h.length > 120) h.shift();
    history.set(t.tenant, h);
  }
  const options = data.tenants.map((t) => `<option>${esc(t.tenant)}</option>`).join("");
  const editing = document.getElementById("quota-tenant")?.value;
  if (!document.getElementById("tenants-page")) {
    main.innerHTML = `<div id="tenants-page"><h1>Tenants</h1>
      <div class="card"><h2>Share of the fleet vs fair share <span class="muted" id="slots"></span></h2><div id="chart"></div></div>
      <table><thead><tr><th>tenant</th><th>status</th><th>tier</th><th class="num">weight</th><th class="num">running / cap</th><th class="num">min</th><th class="num">backlog</th><th class="num">released/s</th><th>throttled (reason: ticks)</th><th class="num">share</th><th class="num">fair share</th></tr></thead><tbody id="tenant-rows"></tbody></table>
      <div class="card"><h2>Edit a quota</h2>
        <form id="quota-form" class="inline" data-testid="quota-form">
          <label>tenant <select id="quota-tenant" name="tenant">${options}</select></label>
          <label>field <select name="field" data-testid="quota-field">
            <option>maxConcurrency</option><option>minConcurrency</option><option>weight</option><option>status</option><option>reason</option><option>rate.perSecond</option><option>rate.burst</option><option>maxQueued</option><option>api.perSecond</option><option>api.burst</option>
          </select></label>
          <label>value <input name="value" size="12" data-testid="quota-value" placeholder="e.g. 4 or &quot;paused&quot;"/></label>
          <button type="submit" data-testid="quota-save">Save</button>
        </form>
        <div id="quota-result" data-testid="quota-result"></div>
      </div></div>`;
    document.getElementById("quota-form").addEventListener("submit", saveQuota);
  } else if (editing !== undefined) {
    document.getElementById("quota-tenant").innerHTML = options;
    document.getElementById("quota-tenant").value = editing;
  }
  document.getElementById("slots").textContent = `(${data.liveSlots} live slots)`;
  document.getElementById("tenant-rows").innerHTML = data.tenants.map(tenantRow).join("");
  document.getElementById("chart").innerHTML = chart(data.tenants);
}

async function saveQuota(e) {
  e.preventDefault();
  const form = new FormData(e.target);
  const raw = String(form.get("value"));
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const out = document.getElementById("quota-result");
  try {
    const r = await api(`/v1/ops/tenants/${encodeURIComponent(form.get("tenant"))}/quota`, {
      method: "PATCH",
      body: { changes: { [form.get("field")]: value } },
    });
    const a = r.audit;
    out.innerHTML = `<p class="ok" data-testid="quota-saved">saved: version ${r.version} (${esc(r.changed.join(", "))})</p>
      ${a ? `<p data-testid="audit-entry">audit: ${esc(a.at)} <b>${esc(a.actor.subject)}</b> ${esc(a.action)} ${json(a.before)} → ${json(a.after)}</p>` : ""}`;
  } catch (err) {
    out.innerHTML = `<p class="error" data-testid="quota-error">${esc(err.message)}</p>`;
  }
}

// ---------- Jobs ----------

async function jobsPage(params) {
  const tenants = (await api("/v1/ops/tenants")).tenants.map((t) => t.tenant);
  const tenant = params.get("tenant") ?? tenants[0] ?? "";
  const q = new URLSearchParams();
  for (const k of ["status", "workflow", "since"]) if (params.get(k)) q.set(k, params.get(k));
  q.set("limit", "50");
  const list = tenant ? await api(`/v1/ops/tenants/${encodeURIComponent(tenant)}/jobs?${q}`) : { jobs: [] };
  const opt = (v, cur) => `<option ${v === cur ? "selected" : ""}>${esc(v)}</option>`;
  main.innerHTML = `<h1>Jobs</h1>
    <form id="job-search" class="inline">
      <label>tenant <select name="tenant" data-testid="jobs-tenant">${tenants.map((t) => opt(t, tenant)).join("")}</select></label>
      <label>status <select name="status"><option value="">any</option>${["queued", "running", "needs_review", "complete", "failed"].map((s) => opt(s, params.get("status"))).join("")}</select></label>
      <label>workflow <input name="workflow" value="${esc(params.get("workflow") ?? "")}" size="18"/></label>
      <label>since <input name="since" value="${esc(params.get("since") ?? "")}" placeholder="2026-12-05T00:00:00Z" size="22"/></label>
      <button type="submit" data-testid="jobs-search">Search</button>
    </form>
    <table><thead><tr><th>job</th><th>workflow</th><th>status</th><th>created</th><th>error</th></tr></thead><tbody>
    ${(list.jobs ?? [])
      .map(
        (
          j,
        ) => `<tr data-testid="job-row"><td><a href="#/job/${encodeURIComponent(tenant)}/${encodeURIComponent(j.jobId)}">${esc(j.jobId)}</a></td>
        <td>${esc(j.workflow?.name ?? j.workflow)}</td><td><span class="badge ${esc(j.status)}">${esc(j.status)}</span></td>
        <td>${esc(j.createdAt)}</td><td>${esc(j.error ?? "")}</td></tr>`,
      )
      .join("")}</tbody></table>`;
  document.getElementById("job-search").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = new URLSearchParams();
    for (const [k, v] of new FormData(e.target)) if (v) f.set(k, String(v));
    location.hash = `#/jobs?${f}`;
  });
}

function graphSvg(g) {
  const bw = 170,
    bh = 38,
    gx = 40,
    gy = 46;
  const pos = new Map(
    g.nodes.map((n) => [n.id, { x: 20 + n.column * (bw + gx), y: 20 + n.layer * (bh + gy) }]),
  );
  const W = Math.max(...[...pos.values()].map((p) => p.x)) + bw + 40;
  const H = Math.max(...[...pos.values()].map((p) => p.y)) + bh + 30;
  const visited = new Set(g.visited);
  let svg = `<svg width="${W}" height="${H}" data-testid="workflow-graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#9aa4b8"/></marker></defs>`;
  for (const e of g.edges) {
    const a = pos.get(e.from),
      b = pos.get(e.to);
    if (!a || !b) continue;
    const taken = visited.has(e.from) && visited.has(e.to);
    svg += `<path class="edge${taken ? " taken" : ""}" marker-end="url(#arrow)" d="M${a.x + bw / 2},${a.y + bh} C${a.x + bw / 2},${a.y + bh + 25} ${b.x + bw / 2},${b.y - 25} ${b.x + bw / 2},${b.y}"><title>${esc(e.kind)}</title></path>`;
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id);
    const cls = `node${visited.has(n.id) ? " visited" : ""}${g.current === n.id ? " current" : ""}`;
    const d = g.durations?.[n.id];
    svg += `<g class="${cls}" data-testid="graph-node" data-state="${esc(n.id)}" data-visited="${visited.has(n.id)}" data-current="${g.current === n.id}">
      <rect x="${p.x}" y="${p.y}" width="${bw}" height="${bh}" rx="6"/>
      <text x="${p.x + 8}" y="${p.y + 15}">${esc(n.id.length > 22 ? n.id.slice(0, 21) + "…" : n.id)}</text>
      <text x="${p.x + 8}" y="${p.y + 30}" fill="#6b7385">${esc(n.type)}${n.note ? " · " + esc(n.note.slice(0, 16)) : ""}${d !== undefined ? " · " + ms(d) : ""}</text></g>`;
  }
  return svg + "</svg>";
}

async function jobPage(tenant, id) {
  const { job, graph } = await api(
    `/v1/ops/tenants/${encodeURIComponent(tenant)}/jobs/${encodeURIComponent(id)}`,
  );
  const rows = [];
  for (let i = 0; i < job.timeline.length; i++) {
    const e = job.timeline[i],
      next = job.timeline[i + 1];
    const dur = next ? Date.parse(next.at) - Date.parse(e.at) : undefined;
    rows.push(
      `<tr><td>${esc(e.at)}</td><td>${esc(e.type)}</td><td>${esc(e.state ?? "")}</td><td class="num">${dur === undefined ? "" : ms(dur)}</td><td>${e.detail === undefined ? "" : esc(JSON.stringify(e.detail))}</td></tr>`,
    );
  }
  main.innerHTML = `<h1>Job <span data-testid="job-id">${esc(job.jobId)}</span> <span class="badge ${esc(job.status)}" data-testid="job-status">${esc(job.status)}</span></h1>
    <p class="muted">tenant ${esc(tenant)} · workflow ${esc(job.workflow?.name ?? "")} · created ${esc(job.createdAt)}</p>
    ${job.error ? `<div class="card error" data-testid="job-error"><b>${esc(job.error)}</b><pre>${esc(job.cause ?? "")}</pre></div>` : ""}
    <p><button id="cancel" data-testid="cancel">Cancel</button> <button id="retry" data-testid="retry">Retry</button> <span id="action-result"></span></p>
    <div class="card"><h2>Workflow</h2><p class="legend"><span class="badge">state</span><span class="badge running">current</span><span style="color:#2458d6">■ path taken</span></p>${graphSvg(graph)}</div>
    <div class="row"><div class="card"><h2>Input <button data-which="input" class="load">load</button></h2><pre id="payload-input">(not loaded)</pre></div>
    <div class="card"><h2>Output <button data-which="output" class="load">load</button></h2><pre id="payload-output">(not loaded)</pre></div></div>
    <div class="card"><h2>Timeline</h2><table data-testid="timeline"><thead><tr><th>at</th><th>event</th><th>state</th><th class="num">until next</th><th>detail</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
  for (const b of main.querySelectorAll("button.load")) {
    b.addEventListener("click", async () => {
      const which = b.dataset.which;
      const r = await api(
        `/v1/ops/tenants/${encodeURIComponent(tenant)}/jobs/${encodeURIComponent(id)}/payload?which=${which}`,
      ).catch((err) => ({ value: err.message }));
      document.getElementById(`payload-${which}`).textContent = JSON.stringify(r.value, null, 2);
    });
  }
  for (const action of ["cancel", "retry"]) {
    document.getElementById(action).addEventListener("click", async () => {
      const out = document.getElementById("action-result");
      try {
        const r = await api(
          `/v1/ops/tenants/${encodeURIComponent(tenant)}/jobs/${encodeURIComponent(id)}/${action}`,
          { method: "POST", body: {} },
        );
        out.innerHTML = `<span class="ok">${action}: now ${esc(r.status)}</span>`;
      } catch (err) {
        out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
      }
    });
  }
}

// ---------- Reviews ----------

async function reviewsPage() {
  const { reviews } = await api("/v1/ops/reviews");
  main.innerHTML = `<h1>Review queue</h1>${reviews.length === 0 ? "<p class='muted' data-testid='no-reviews'>nothing waiting for review</p>" : ""}
    ${reviews
      .map(
        (r, i) => `<div class="card" data-testid="review" data-job="${esc(r.jobId)}">
      <b>${esc(r.tenant)}</b> · <a href="#/job/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.jobId)}">${esc(r.jobId)}</a> · ${esc(r.workflow)} · state ${esc(r.stateName)} · since ${esc(r.requestedAt)}
      <pre>${json(r.data)}</pre>
      <div class="row"><div><label>output (JSON)<br/><textarea id="out-${i}" rows="4" cols="50">${json(r.data)}</textarea></label><br/><button data-i="${i}" class="approve" data-testid="approve">Approve</button></div>
      <div><label>error <input id="err-${i}" value="Sluice.Rejected"/></label><br/><label>cause <input id="cause-${i}" size="40" value="rejected by an operator"/></label><br/><button data-i="${i}" class="reject" data-testid="reject">Reject</button></div></div>
      <p id="res-${i}" data-testid="review-result"></p></div>`,
      )
      .join("")}`;
  const decide = async (i, body) => {
    const r = reviews[i];
    const out = document.getElementById(`res-${i}`);
    try {
      const res = await api(
        `/v1/ops/tenants/${encodeURIComponent(r.tenant)}/jobs/${encodeURIComponent(r.jobId)}/review`,
        { method: "POST", body },
      );
      out.innerHTML = `<span class="ok">${esc(body.decision)}d: job is now ${esc(res.status)}</span>`;
    } catch (err) {
      out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
    }
  };
  for (const b of main.querySelectorAll("button.approve")) {
    b.addEventListener("click", () => {
      const i = Number(b.dataset.i);
      let output;
      try {
        output = JSON.parse(document.getElementById(`out-${i}`).value);
      } catch (err) {
        document.getElementById(`res-${i}`).innerHTML =
          `<span class="error">output is not JSON: ${esc(err.message)}</span>`;
        return;
      }
      void decide(i, { decision: "approve", output });
    });
  }
  for (const b of main.querySelectorAll("button.reject")) {
    b.addEventListener("click", () => {
      const i = Number(b.dataset.i);
      void decide(i, {
        decision: "reject",
        error: document.getElementById(`err-${i}`).value,
        cause: document.getElementById(`cause-${i}`).value,
      });
    });
  }
}

// ---------- Dead letters ----------

async function dlqPage() {
  const { queues } = await api("/v1/ops/dlq");
  main.innerHTML = `<h1>Dead letters</h1>${queues
    .map(
      (
        q,
      ) => `<div class="card" data-testid="dlq" data-queue="${esc(q.queue)}"><h2>${esc(q.queue)} <span class="muted">→ ${esc(q.source)}</span> · <span data-testid="dlq-count">${q.messages.length}</span> shown
      ${q.messages.length > 0 ? `<button class="redrive-all" data-queue="${esc(q.queue)}">Redrive all</button>` : ""}</h2>
      ${
        q.messages.length === 0
          ? "<p class='muted'>empty</p>"
          : `<table><thead><tr><th>message</th><th>reason</th><th>sent</th><th class="num">receives</th><th>body</th><th></th></tr></thead><tbody>
      ${q.messages
        .map(
          (
            m,
          ) => `<tr data-testid="dead-letter" data-message="${esc(m.messageId)}"><td>${esc(m.messageId)}</td><td data-testid="reason">${esc(m.reason)}</td><td>${esc(m.sentAt)}</td><td class="num">${m.receiveCount}</td><td><code>${esc(m.body.slice(0, 120))}</code></td>
          <td>${m.bodyRef ? "<span class='muted'>body in S3</span>" : `<button class="redrive" data-testid="redrive" data-queue="${esc(q.queue)}" data-message="${esc(m.messageId)}">Redrive</button>`}</td></tr>`,
        )
        .join("")}</tbody></table>`
      }</div>`,
    )
    .join("")}<p id="redrive-result" data-testid="redrive-result"></p>`;
  const run = async (queue, messageId) => {
    const out = document.getElementById("redrive-result");
    try {
      const r = await api(`/v1/ops/dlq/${encodeURIComponent(queue)}/redrive`, {
        method: "POST",
        body: messageId ? { messageId } : {},
      });
      out.innerHTML = `<span class="ok">moved ${r.moved} message(s) from ${esc(r.queue)} to ${esc(r.to)}${r.skipped.length ? `; ${r.skipped.length} left (${esc(r.skipped[0].why)})` : ""}</span>`;
    } catch (err) {
      out.innerHTML = `<span class="error">${esc(err.message)}</span>`;
    }
  };
  for (const b of main.querySelectorAll("button.redrive"))
    b.addEventListener("click", () => run(b.dataset.queue, b.dataset.message));
  for (const b of main.querySelectorAll("button.redrive-all"))
    b.addEventListener("click", () => run(b.dataset.queue));
}

// ---------- Fleet ----------

async function fleetPage() {
  const f = await api("/v1/ops/fleet");
  const table = (heads, rows) =>
    `<table><thead><tr>${heads.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  main.innerHTML = `<h1>Fleet</h1>
    <div class="card" data-testid="workers"><h2>Workers: ${f.workers.length} alive, ${f.freeSlots} free slot(s)${f.staleWorkers ? `, ${f.staleWorkers} stale` : ""}</h2>
    ${table(
      ["worker", "slots", "busy", "healthy", "heartbeat", "steps"],
      f.workers.map((w) => [w.id, w.slots, w.busy, w.healthy ? "yes" : "NO", w.at, w.steps.join(", ")]),
    )}</div>
    <div class="card" data-testid="sweepers"><h2>Sweepers: ${f.sweepers.length} alive</h2>${f.sweeperWarning ? `<p class="error">${esc(f.sweeperWarning)}</p>` : ""}
    ${table(
      ["sweeper", "heartbeat", "last tick"],
      f.sweepers.map((s) => [s.id, s.at, s.lastTickAt]),
    )}</div>
    <div class="card" data-testid="scheduler-replicas"><h2>Scheduler replicas: ${f.schedulerReplicas.filter((r) => r.alive).length} alive${f.schedulerReplicas.some((r) => !r.alive) ? `, ${f.schedulerReplicas.filter((r) => !r.alive).length} dead` : ""}</h2>
    ${table(
      ["replica", "tenants owned", "last heartbeat", "alive"],
      f.schedulerReplicas.map((r) => [r.id, r.tenants, r.lastHeartbeatAt ?? "-", r.alive ? "yes" : "DEAD"]),
    )}</div>
    <div class="card" data-testid="schedulers"><h2>Schedulers: ${f.schedulers.filter((s) => s.fresh).length} alive</h2>
    ${table(
      ["scheduler", "last summary", "tenants", "released/s", "alive"],
      f.schedulers.map((s) => [
        s.schedulerId,
        s.lastSummaryAt,
        s.tenants,
        s.releasedPerSec.toFixed(2),
        s.fresh ? "yes" : "no",
      ]),
    )}</div>`;
}

// ---------- Router ----------

async function route() {
  clearInterval(timer);
  if (!sessionStorage.getItem(TOKEN_KEY)) return showLogin("");
  whoAmI();
  const hash = location.hash || "#/tenants";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query ?? "");
  const parts = path.split("/").filter(Boolean);
  for (const a of document.querySelectorAll("header nav a"))
    a.classList.toggle(
      "active",
      a.getAttribute("href").slice(2) === (parts[0] === "job" ? "jobs" : parts[0]),
    );
  const pages = {
    tenants: () => tenantsPage(),
    jobs: () => jobsPage(params),
    job: () => jobPage(decodeURIComponent(parts[1]), decodeURIComponent(parts[2])),
    reviews: () => reviewsPage(),
    dlq: () => dlqPage(),
    fleet: () => fleetPage(),
  };
  const page = pages[parts[0]] ?? pages.tenants;
  main.innerHTML = "<p class='muted'>loading…</p>";
  try {
    await page();
    document.body.dataset.page = parts[0] ?? "tenants";
  } catch (err) {
    fail(err);
  }
  if ((parts[0] ?? "tenants") === "tenants") timer = setInterval(() => tenantsPage().catch(fail), 2000);
}

window.addEventListener("hashchange", route);
route();
