import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringAttr, type ReceivedMessage } from "../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { assertKeyBelongsToTenant } from "../../shared/tenancy/keys.ts";
import { tenantId, type TenantId } from "../../shared/tenancy/tenant-id.ts";
import { WorkflowCatalog, type Workflow } from "../../shared/workflows/catalog.ts";
import { createFairScheduler } from "../../scheduler/create-fair-scheduler.ts";
import type { FairScheduler } from "../../scheduler/loop/fair-scheduler.ts";

type TickResult = Awaited<ReturnType<FairScheduler["tick"]>>;
import { UsageStore } from "../../shared/usage/usage-store.ts";
import { createTestFleet, type TestFleet } from "./helpers/fleet.ts";
import { heartbeatSlots } from "./helpers/worker-slots.ts";

/**
 * Issue 9, bugs 2, 6 and 8, on the real stack: every intake message ends as a job or a DLQ entry with a
 * reason, one bad message never holds up its tenant's next good one, an idempotency key reused
 * with another payload is a conflict, and `maxQueued` rejects the newest messages beyond it. The scheduler is driven tick by tick; each case has a tenant of
 * its own (cap 1, so a message stuck at the head of the line would block the tenant's next one).
 */
const TENANTS = ["deep", "big", "attrs", "boom", "idem", "full"] as const;
let fleet: TestFleet;
let scheduler: FairScheduler;
let usage: UsageStore;

/** The fleet's catalog, except that looking up the workflow `boom` throws (an unexpected bug). */
class BoobyTrappedCatalog extends WorkflowCatalog {
  override get(name: string): Workflow | undefined {
    if (name === "boom") throw new TypeError("Cannot read properties of undefined (reading 'version')");
    return super.get(name);
  }
}

beforeAll(async () => {
  fleet = await createTestFleet("intake", { tenants: [...TENANTS] });
  const workflows = new Map(fleet.catalog.names().map((n) => [n, fleet.catalog.get(n) as Workflow]));
  scheduler = createFairScheduler(fleet.rt, new BoobyTrappedCatalog(workflows), {
    // Every tick receives (ticks here follow each other within milliseconds); no long polls: the
    // tests drive tick() themselves, after stop(), and each tick must see what was sent before it.
    loop: { intake: { idlePollMs: 0, depthRefreshMs: 0, longPollSeconds: 0 } },
  });
  usage = new UsageStore(fleet.rt.router, { now: Date.now, log: silentLogger() });
  await fleet.rt.fleetDb
    .collection("tenants")
    .updateMany({}, { $set: { maxConcurrency: 1, minConcurrency: 0, rate: null, updatedAt: new Date() } });
  await heartbeatSlots(fleet, "w1", 20, 120_000);
  await scheduler.start(); // loads the quotas; the test drives tick() itself
  await scheduler.stop();
});
afterAll(() => fleet?.cleanup());

const good = (t: string, key: string, input: unknown = { name: "Ada" }) =>
  JSON.stringify({ tenantId: t, workflow: "hello", idempotencyKey: key, input });

async function send(t: string, body: string, attributes: Record<string, string> = {}): Promise<void> {
  const { queueUrl } = await fleet.rt.queues.intake(tenantId(t));
  const attrs = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, stringAttr(v)]));
  await fleet.rt.sqs.send(queueUrl, { body, attributes: attrs });
}

const dlqEntries: Record<string, ReceivedMessage[]> = {};
/** Everything that reached the tenant's intake DLQ so far (received once, kept here). */
async function dlq(t: string): Promise<ReceivedMessage[]> {
  const { dlqUrl } = await fleet.rt.queues.intake(tenantId(t));
  const got = await fleet.rt.sqs.receive(dlqUrl, { maxMessages: 10, visibilityTimeout: 600 });
  (dlqEntries[t] ??= []).push(...got);
  return dlqEntries[t];
}
const reasonOf = (m: ReceivedMessage) => m.attributes["reason"]?.StringValue ?? "";
const job = (t: string, key: string) => fleet.rt.jobsOf(tenantId(t)).findByIdempotencyKey(key);

/** Ticks until `done()` (at most `max` ticks); returns how many it took. */
async function tickUntil(
  done: () => Promise<boolean>,
  max = 8,
  each: (tick: TickResult) => void = () => undefined,
): Promise<number> {
  for (let i = 1; i <= max; i++) {
    each(await scheduler.tick());
    if (await done()) return i;
  }
  throw new Error(`not done after ${max} ticks`);
}

/** The slot of a released job given back, as when it finishes (the tests run no worker). */
const finishOne = (t: TenantId) => usage.release(t);

describe("an intake message whose handling used to throw (bug 2)", () => {
  it("input nested 5,000 levels deep goes to the DLQ with a reason; the next good message is released", async () => {
    const deep = `{"tenantId":"deep","workflow":"hello","idempotencyKey":"deep-1","input":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    await send("deep", deep);
    await send("deep", good("deep", "deep-good"));
    await tickUntil(
      async () => (await job("deep", "deep-good")) !== null && (await dlq("deep")).length === 1,
    );
    const [entry] = await dlq("deep");
    expect(reasonOf(entry!)).toMatch(/^input too deeply nested: more than 64 levels/);
    expect(entry!.body).toBe(deep);
    expect(await job("deep", "deep-1")).toBeNull();
  });

  it("a rejection whose DLQ copy exceeds 256 KiB stores the body in S3 and the DLQ entry references it", async () => {
    // An inline input over 200 KiB is rejected; the body is a few bytes under SQS's limit, so the
    // copy with the reason attributes would not fit.
    const head = `{"tenantId":"big","workflow":"hello","idempotencyKey":"big-1","input":{"blob":"`;
    const tail = `"}}`;
    const big = head + "x".repeat(262_144 - 40 - head.length - tail.length) + tail;
    await send("big", big, { traceparent: "00-abc-def-01" });
    await send("big", good("big", "big-good"));
    await tickUntil(async () => (await job("big", "big-good")) !== null && (await dlq("big")).length === 1);
    const [entry] = await dlq("big");
    expect(reasonOf(entry!)).toMatch(/^input too large/);
    const key = entry!.attributes["bodyRef"]?.StringValue ?? "";
    expect(key).toBe(`tenants/big/intake-rejected/${entry!.attributes["originalMessageId"]?.StringValue}`);
    expect(JSON.parse(entry!.body)).toEqual({
      bodyRef: { bucket: fleet.rt.blobs.bucket, key, bytes: Buffer.byteLength(big) },
    });
    expect(entry!.attributes["traceparent"]?.StringValue).toBe("00-abc-def-01");
    expect(
      await fleet.rt.blobs.getString(tenantId("big"), assertKeyBelongsToTenant(key, tenantId("big"))),
    ).toBe(big);
  });

  it("a message with SQS's 10 attributes is dead-lettered with the reason, attributes trimmed to the limit", async () => {
    const attrs = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, `v${i}`]));
    await send("attrs", "not json at all", attrs);
    await send("attrs", good("attrs", "attrs-good"));
    await tickUntil(
      async () => (await job("attrs", "attrs-good")) !== null && (await dlq("attrs")).length === 1,
    );
    const [entry] = await dlq("attrs");
    expect(entry!.body).toBe("not json at all");
    expect(reasonOf(entry!)).toMatch(/^malformed JSON/);
    const names = Object.keys(entry!.attributes);
    expect(names.length).toBeLessThanOrEqual(10);
    expect(names).toEqual(expect.arrayContaining(["reason", "sourceQueue", "originalMessageId"]));
    const dropped = entry!.attributes["droppedAttributes"]?.StringValue?.split(",") ?? [];
    // Every original attribute is either kept or named as dropped.
    expect([...names.filter((n) => /^a\d$/.test(n)), ...dropped].sort()).toEqual(Object.keys(attrs).sort());
  });

  it("an unexpected error is retried behind the tenant's other messages, then dead-lettered as internal", async () => {
    const boom = JSON.stringify({ tenantId: "boom", workflow: "boom", idempotencyKey: "boom-1", input: {} });
    await send("boom", boom);
    await send("boom", good("boom", "boom-good"));
    // Cap 1: had the failing message stayed at the head, the good one would never be taken.
    await tickUntil(async () => (await job("boom", "boom-good")) !== null, 3);
    await finishOne(tenantId("boom"));
    await tickUntil(async () => (await dlq("boom")).length === 1, 6);
    const [entry] = await dlq("boom");
    expect(entry!.body).toBe(boom);
    expect(reasonOf(entry!)).toMatch(/^internal: TypeError: Cannot read properties .* \(after 3 attempts\)$/);
    expect(await job("boom", "boom-1")).toBeNull();
    const { queueUrl } = await fleet.rt.queues.intake(tenantId("boom"));
    const depth = await fleet.rt.sqs.approximateDepth(queueUrl);
    expect(depth.visible + depth.inFlight).toBe(0);
  });
});

describe("idempotency keys (bug 8)", () => {
  it("the same key with the same payload is a no-op; with another payload it is dead-lettered as a conflict", async () => {
    const idem = tenantId("idem");
    await send("idem", good("idem", "order-7", { a: 1, b: [1, 2] }));
    await tickUntil(async () => (await job("idem", "order-7")) !== null);
    const first = await job("idem", "order-7");
    await finishOne(idem);

    // Same payload, keys in another order: a duplicate, nothing dead-lettered.
    await send("idem", good("idem", "order-7", { b: [1, 2], a: 1 }));
    const seen = { duplicates: 0, rejected: 0, released: 0 };
    await tickUntil(
      async () => seen.duplicates + seen.released + seen.rejected > 0,
      8,
      (t) => {
        for (const k of ["duplicates", "rejected", "released"] as const) seen[k] += t[k];
      },
    );
    // The job is still queued (no worker here), so the release re-sends its work message: a no-op.
    expect(seen.rejected).toBe(0);
    expect(await dlq("idem")).toEqual([]);
    expect(await fleet.rt.fleetDb.collection("jobs").countDocuments({ tenantId: "idem" })).toBe(1);
    await finishOne(idem);

    // Another input under the same key: the DLQ, with the reason; the job is untouched.
    await send("idem", good("idem", "order-7", { a: 2, b: [1, 2] }));
    await tickUntil(async () => (await dlq("idem")).length === 1);
    const [entry] = await dlq("idem");
    expect(reasonOf(entry!)).toMatch(new RegExp(`^idempotency_conflict: .*order-7.*${first!._id}`));
    const after = await job("idem", "order-7");
    expect(after?._id).toBe(first?._id);
    expect(after?.input).toEqual({ inline: { a: 1, b: [1, 2] } });
    expect(await fleet.rt.fleetDb.collection("jobs").countDocuments({ tenantId: "idem" })).toBe(1);
  });
});

describe("maxQueued (bug 6)", () => {
  it("messages sent while the tenant is full go to the DLQ as queue_full; the older ones keep their place", async () => {
    const full = tenantId("full");
    const tenants = fleet.rt.fleetDb.collection("tenants");
    await tenants.updateOne(
      { tenantId: "full" },
      { $set: { status: "paused", maxQueued: 3, updatedAt: new Date() }, $inc: { version: 1 } },
    );
    await scheduler.start(); // reload the quotas
    await scheduler.stop();
    const old = ["q-1", "q-2", "q-3"];
    const newer = ["q-4", "q-5", "q-6", "q-7"];
    for (const k of old) await send("full", good("full", k));
    await scheduler.tick(); // sees 3 waiting: at the limit, full from now
    for (const k of newer) await send("full", good("full", k));

    // Paused: nothing is released, and what arrived while full is refused.
    await tickUntil(async () => (await dlq("full")).length === newer.length);
    const entries = await dlq("full");
    for (const e of entries) expect(reasonOf(e)).toMatch(/^queue_full: .*3 \(maxQueued\)/);
    const keyOf = (m: ReceivedMessage) => (JSON.parse(m.body) as { idempotencyKey: string }).idempotencyKey;
    expect(entries.map(keyOf).sort()).toEqual(newer);

    // Resumed, the three kept are released; nothing else was rejected.
    await tenants.updateOne(
      { tenantId: "full" },
      { $set: { status: "active", maxConcurrency: 10, updatedAt: new Date() }, $inc: { version: 1 } },
    );
    await scheduler.start();
    await scheduler.stop();
    await tickUntil(async () => (await Promise.all(old.map((k) => job("full", k)))).every((j) => j !== null));
    expect(await dlq("full")).toHaveLength(newer.length);
    expect(await fleet.rt.fleetDb.collection("jobs").countDocuments({ tenantId: full })).toBe(3);

    // Room again: a new message is admitted and released.
    await send("full", good("full", "q-8"));
    await tickUntil(async () => (await job("full", "q-8")) !== null);
    expect(await dlq("full")).toHaveLength(newer.length);
  });
});
