// The Tenants page: each tenant's quota and live figures, the fairness chart (share of the fleet
// against fair share over the last few minutes) and the quota edit.

import { api, main } from "../api.js";
import { esc, pct, json } from "../html.js";

/** Share history per tenant for the fairness chart: [{at, share, fair}]. */
const history = new Map();

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

export async function tenantsPage() {
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
