import { describe, expect, it } from "vitest";
import { allTargets, resolveTarget } from "../../../shared/dlq/targets.ts";
import type { TenantId } from "../../../shared/tenancy/tenant-id.ts";

/** The slice of a runtime the targets read: the queue prefix and the queue URLs (intake faked). */
const rt = {
  config: { queues: { prefix: "sl" } },
  queues: {
    work: "url:sl-work",
    workDlq: "url:sl-work-dlq",
    intake: (t: TenantId) =>
      Promise.resolve({
        queueUrl: `url:sl-intake-${t}`,
        queueName: `sl-intake-${t}`,
        dlqUrl: `url:sl-intake-${t}-dlq`,
      }),
  },
} as unknown as Parameters<typeof resolveTarget>[0];

/** The target of a source queue `source` (its DLQ is `<source>-dlq`, URLs as the fake makes them). */
const target = (label: string, kind: "work" | "intake", source: string) => ({
  label,
  kind,
  dlqName: `${source}-dlq`,
  dlqUrl: `url:${source}-dlq`,
  sourceName: source,
  sourceUrl: `url:${source}`,
});

describe("dead-letter targets", () => {
  it("names the work DLQ by `work`, the work queue or its DLQ", async () => {
    for (const arg of ["work", "sl-work", "sl-work-dlq"]) {
      expect(await resolveTarget(rt, arg)).toEqual(target("work", "work", "sl-work"));
    }
  });

  it("names a tenant's intake DLQ by its id, its intake queue or that queue's DLQ", async () => {
    for (const arg of ["acme", "sl-intake-acme", "sl-intake-acme-dlq"]) {
      expect(await resolveTarget(rt, arg)).toEqual(target("acme", "intake", "sl-intake-acme"));
    }
  });

  it("reaches a tenant literally named `work` through its queue name", async () => {
    expect((await resolveTarget(rt, "sl-intake-work-dlq"))?.label).toBe("work");
    expect((await resolveTarget(rt, "sl-intake-work-dlq"))?.kind).toBe("intake");
  });

  it("is null for what names no queue", async () => {
    expect(await resolveTarget(rt, "Not A Tenant!")).toBeNull();
  });

  it("lists the work DLQ first, then each tenant's in the order given", async () => {
    const all = await allTargets(rt, ["b" as TenantId, "a" as TenantId]);
    expect(all.map((t) => t.dlqName)).toEqual(["sl-work-dlq", "sl-intake-b-dlq", "sl-intake-a-dlq"]);
  });
});
