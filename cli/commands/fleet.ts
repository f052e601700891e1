/**
 * `sluice fleet`: the processes alive, from the fleet collections in the shared database — workers
 * (`workers`: slots, busy, health, steps, last heartbeat), sweepers (`sweepers`), scheduler replicas
 * (`scheduler_leases`: heartbeat, alive or dead, tenants whose lease each holds), API replicas
 * (`api_replicas`: heartbeat, alive or dead) and schedulers' summaries (`scheduler_stats`: tenants
 * summarised, released/s, last summary).
 */
import type { Command } from "commander";
import { formatTable } from "../../scheduler/cli/table.ts";
import { action, EXIT, printJson, type CliContext } from "../context.ts";
import { formatDuration } from "../jobs/view.ts";
import { withRuntime } from "../runtime.ts";

const iso = (ms: number | undefined): string => (ms === undefined ? "-" : new Date(ms).toISOString());

export function register(program: Command, ctx: CliContext): void {
  action(
    program
      .command("fleet")
      .description(
        "workers, sweepers, scheduler and API replicas: id, slots, busy, health, tenants owned, last heartbeat, alive",
      )
      .option("--json", "machine-readable output"),
    ctx,
    (o: { json?: boolean }) =>
      withRuntime(ctx, "fleet", async (rt) => {
        const { FleetCapacity } = await import("../../scheduler/store/capacity.ts");
        const { SweeperRegistry } = await import("../../shared/fleet/sweeper-heartbeats.ts");
        const { TenantStatsStore } = await import("../../scheduler/store/tenant-stats.ts");
        const { MongoLeaseStore } = await import("../../scheduler/shards/lease-store.ts");
        const { schedulerReplicas } = await import("../../scheduler/shards/replica-view.ts");
        const { apiReplicaView } = await import("../../shared/fleet/api-replicas.ts");
        const db = rt.fleetDb;
        const now = Date.now();
        const [workers, sweepers, schedulers, replicas, apis] = await Promise.all([
          new FleetCapacity(db).view(now),
          new SweeperRegistry(db).view(now),
          new TenantStatsStore(db).schedulers(now),
          schedulerReplicas(new MongoLeaseStore(db), now),
          apiReplicaView(db, now),
        ]);
        if (o.json) {
          printJson(ctx, {
            at: iso(now),
            workers: {
              live: workers.live.map((w) => ({ ...w, healthy: w.healthy !== false, at: iso(w.at) })),
              stale: workers.stale,
              invalid: workers.invalid,
              freeSlots: workers.freeSlots,
            },
            sweepers: {
              live: sweepers.live.map((s) => ({ ...s, at: iso(s.at), lastTickAt: iso(s.lastTickAt) })),
              stale: sweepers.stale,
              warning: sweepers.warning ?? null,
            },
            schedulerReplicas: replicas.map((r) => ({
              ...r,
              lastHeartbeatAt: r.lastHeartbeatAt === null ? null : iso(r.lastHeartbeatAt),
              expiresAt: r.expiresAt === null ? null : iso(r.expiresAt),
            })),
            apiReplicas: apis.map((a) => ({ ...a, lastHeartbeatAt: iso(a.lastHeartbeatAt) })),
            schedulers: schedulers.map((s) => ({ ...s, lastSummaryAt: iso(s.lastSummaryAt) })),
          });
          return EXIT.ok;
        }
        const age = (at: number) => formatDuration(now - at);
        ctx.out(
          `workers: ${workers.live.length} alive (${workers.stale} stale), ${workers.freeSlots} free slot(s)\n`,
        );
        if (workers.live.length > 0) {
          ctx.out(
            `${formatTable(
              ["WORKER", "SLOTS", "BUSY", "HEALTHY", "HEARTBEAT", "AGE", "STEPS"],
              workers.live.map((w) => [
                w.workerId,
                String(w.slots),
                String(w.busy),
                w.healthy === false ? "no" : "yes",
                iso(w.at),
                age(w.at),
                (w.steps ?? []).join(","),
              ]),
            )}\n`,
          );
        }
        ctx.out(`\nsweepers: ${sweepers.live.length} alive (${sweepers.stale} stale)\n`);
        if (sweepers.live.length > 0) {
          ctx.out(
            `${formatTable(
              ["SWEEPER", "HEARTBEAT", "AGE", "LAST TICK"],
              sweepers.live.map((s) => [s.sweeperId, iso(s.at), age(s.at), iso(s.lastTickAt)]),
            )}\n`,
          );
        }
        ctx.out(
          `\nscheduler replicas: ${replicas.filter((r) => r.alive).length} alive, ` +
            `${replicas.filter((r) => !r.alive).length} dead (leases in scheduler_leases)\n`,
        );
        if (replicas.length > 0) {
          ctx.out(
            `${formatTable(
              ["REPLICA", "ALIVE", "TENANTS", "HEARTBEAT", "AGE"],
              replicas.map((r) => [
                r.replicaId,
                r.alive ? "yes" : "no",
                String(r.tenants),
                r.lastHeartbeatAt === null ? "-" : iso(r.lastHeartbeatAt),
                r.lastHeartbeatAt === null ? "-" : age(r.lastHeartbeatAt),
              ]),
            )}\n`,
          );
        }
        ctx.out(
          `\napi replicas: ${apis.filter((a) => a.alive).length} alive, ` +
            `${apis.filter((a) => !a.alive).length} dead (heartbeats in api_replicas)\n`,
        );
        if (apis.length > 0) {
          ctx.out(
            `${formatTable(
              ["API REPLICA", "ALIVE", "HEARTBEAT", "AGE"],
              apis.map((a) => [
                a.replicaId,
                a.alive ? "yes" : "no",
                iso(a.lastHeartbeatAt),
                age(a.lastHeartbeatAt),
              ]),
            )}\n`,
          );
        }
        ctx.out(
          `\nschedulers: ${schedulers.filter((s) => s.fresh).length} alive (summaries in scheduler_stats)\n`,
        );
        if (schedulers.length > 0) {
          ctx.out(
            `${formatTable(
              ["SCHEDULER", "ALIVE", "TENANTS", "RELEASED/S", "LAST SUMMARY", "AGE"],
              schedulers.map((s) => [
                s.schedulerId,
                s.fresh ? "yes" : "no",
                String(s.tenants),
                s.releasedPerSec.toFixed(1),
                iso(s.lastSummaryAt),
                age(s.lastSummaryAt),
              ]),
            )}\n`,
          );
        }
        if (sweepers.warning !== undefined) ctx.err(`warning: ${sweepers.warning}\n`);
        return EXIT.ok;
      }),
  );
}
