// A job's page: its workflow graph with the path taken, its payloads and timeline, cancel and retry.

import { api, main } from "../api.js";
import { esc, ms } from "../html.js";

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

export async function jobPage(tenant, id) {
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
