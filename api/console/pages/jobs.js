// The Jobs page: one tenant's jobs, filtered by status, workflow and creation time.

import { api, main } from "../api.js";
import { esc } from "../html.js";

export async function jobsPage(params) {
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
