import { describe, expect, it } from "vitest";
import { replicaRows } from "../../../../scheduler/shards/replica-view.ts";
import type { LeaseView } from "../../../../scheduler/shards/lease-plan.ts";
import { tenantId, type TenantId } from "../../../../shared/tenancy/tenant-id.ts";

const beat = (replicaId: string, at: number, expiresAt: number) => ({
  kind: "replica" as const,
  replicaId,
  at,
  expiresAt,
  weight: 1,
  owned: 0,
});

describe("scheduler replicas for operators", () => {
  it("counts each replica's unexpired leases, marks expired heartbeats dead, lists owners without a heartbeat", () => {
    const now = 100_000;
    const leases = new Map<TenantId, LeaseView>([
      [tenantId("tenant-a"), { owner: "r1", expiresAt: now + 5_000, fence: 3 }],
      [tenantId("tenant-b"), { owner: "r1", expiresAt: now + 5_000, fence: 1 }],
      [tenantId("tenant-c"), { owner: "r2", expiresAt: now - 1, fence: 2 }], // expired: not counted
      [tenantId("tenant-d"), { owner: null, expiresAt: now + 5_000, fence: 4 }],
      [tenantId("tenant-e"), { owner: "ghost", expiresAt: now + 1_000, fence: 1 }],
    ]);
    const rows = replicaRows(
      [beat("r2", now - 20_000, now - 10_000), beat("r1", now - 500, now + 9_500)],
      leases,
      now,
    );
    expect(rows).toEqual([
      {
        replicaId: "r1",
        alive: true,
        tenants: 2,
        lastHeartbeatAt: now - 500,
        expiresAt: now + 9_500,
        weight: 1,
      },
      { replicaId: "ghost", alive: false, tenants: 1, lastHeartbeatAt: null, expiresAt: null, weight: null },
      {
        replicaId: "r2",
        alive: false,
        tenants: 0,
        lastHeartbeatAt: now - 20_000,
        expiresAt: now - 10_000,
        weight: 1,
      },
    ]);
  });
});
