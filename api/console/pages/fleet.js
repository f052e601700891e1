// The Fleet page: workers, sweepers, scheduler replicas (alive or dead) and schedulers.

import { api, main } from "../api.js";
import { esc } from "../html.js";

export async function fleetPage() {
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
    <div class="card" data-testid="api-replicas"><h2>API replicas: ${f.apiReplicas.filter((a) => a.alive).length} alive${f.apiReplicas.some((a) => !a.alive) ? `, ${f.apiReplicas.filter((a) => !a.alive).length} dead` : ""}</h2>
    ${table(
      ["replica", "last heartbeat", "alive"],
      f.apiReplicas.map((a) => [a.id, a.lastHeartbeatAt ?? "-", a.alive ? "yes" : "DEAD"]),
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
