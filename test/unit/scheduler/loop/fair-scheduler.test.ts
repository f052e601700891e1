import { describe, expect, it, vi } from "vitest";
import { attrValue, stringAttr } from "../../../../shared/aws/sqs-port.ts";
import { tid } from "../helpers.ts";
import { loopHarness } from "./harness.ts";

const released = (w: Awaited<ReturnType<typeof loopHarness>>, t: string) =>
  w.calls.released.filter((r) => r.tenant === tid(t)).map((r) => r.body);

describe("FairScheduler.tick (in-memory SQS, injected clock)", () => {
  it("releases within each tenant's cap and fills freed slots on the next tick", async () => {
    const w = await loopHarness(["ta", "tb"]);
    w.setQuota("ta", { maxConcurrency: 2 });
    w.setQuota("tb", { maxConcurrency: 3, weight: 2 });
    for (let i = 0; i < 5; i++) {
      await w.send("ta", `a${i}`);
      await w.send("tb", `b${i}`);
    }
    const first = await w.scheduler.tick();
    expect(first.released).toBe(5);
    expect(released(w, "ta")).toEqual(["a0", "a1"]);
    expect(released(w, "tb")).toEqual(["b0", "b1", "b2"]);
    expect(w.calls.ledger).toHaveLength(5);
    expect((await w.scheduler.tick()).released).toBe(0);
    expect(w.scheduler.views().get(tid("ta"))?.held).toBe("cap");

    w.running.set(tid("ta"), 1); // one of a's jobs rested
    expect((await w.scheduler.tick()).released).toBe(1);
    expect(released(w, "ta")).toEqual(["a0", "a1", "a2"]);
    expect(w.scheduler.metrics.snapshot()["ta"]?.throttled.cap).toBeGreaterThan(0);
  });

  it("shares scarce slots by weight", async () => {
    const w = await loopHarness(["ta", "tb"], { releaseLead: 0 });
    w.liveSlots = 6;
    w.setQuota("ta", { weight: 1 });
    w.setQuota("tb", { weight: 2 });
    for (let i = 0; i < 10; i++) {
      await w.send("ta", `a${i}`);
      await w.send("tb", `b${i}`);
    }
    expect((await w.scheduler.tick()).released).toBe(6);
    expect(released(w, "ta")).toHaveLength(2);
    expect(released(w, "tb")).toHaveLength(4);
  });

  it("releases a tenant's high-priority messages first (body field or attribute)", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta", { maxConcurrency: 1 });
    await w.send("ta", "normal-1");
    await w.send("ta", JSON.stringify({ n: "low", priority: "low" }));
    await w.send("ta", "attr-high", { attributes: { priority: stringAttr("high") } });
    await w.scheduler.tick();
    expect(released(w, "ta")).toEqual(["attr-high"]);
    w.running.set(tid("ta"), 0);
    await w.scheduler.tick();
    w.running.set(tid("ta"), 0);
    await w.scheduler.tick();
    expect(released(w, "ta")).toEqual([
      "attr-high",
      "normal-1",
      JSON.stringify({ n: "low", priority: "low" }),
    ]);
  });

  it("holds a paused tenant's work (no receive) and releases it once active", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta", { status: "paused" });
    await w.send("ta", "p1");
    await w.send("ta", "p2");
    expect((await w.scheduler.tick()).released).toBe(0);
    expect((await w.depth("ta")).visible).toBe(2);
    expect(w.scheduler.views().get(tid("ta"))).toMatchObject({ backlog: 2, held: "paused" });
    w.setQuota("ta", { status: "active" });
    expect((await w.scheduler.tick()).released).toBe(2);
  });

  it("rejects a suspended tenant's messages to the DLQ with the reason", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta", { status: "suspended", reason: "billing overdue" });
    await w.send("ta", "s1");
    await w.scheduler.tick();
    const dead = await w.dlq("ta");
    expect(dead.map((d) => d.body)).toEqual(["s1"]);
    expect(attrValue(dead[0]!.attributes, "reason")).toBe("tenant suspended: billing overdue");
    expect(w.scheduler.metrics.snapshot()["ta"]?.rejected).toBe(1);
    expect(w.calls.released).toEqual([]);
  });

  it("releases nothing for a tenant that never had a valid quota; its messages stay queued", async () => {
    const w = await loopHarness(["ta"]);
    w.book.apply({ _id: "ta", tenantId: "ta", weight: -1 });
    await w.send("ta", "x");
    expect((await w.scheduler.tick()).released).toBe(0);
    expect((await w.depth("ta")).visible).toBe(1);
    expect(w.scheduler.views().get(tid("ta"))).toMatchObject({ backlog: 1, held: "no-quota" });
  });

  it("keeps the message buffered when the store refuses the slot (another scheduler took it)", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta");
    await w.send("ta", "m");
    w.refuseAll(true);
    const r = await w.scheduler.tick();
    expect(r).toMatchObject({ released: 0, refused: 1 });
    expect((await w.depth("ta")).inFlight).toBe(1); // still held, not lost
    w.refuseAll(false);
    expect((await w.scheduler.tick()).released).toBe(1);
  });

  it("gives the slot back (with today's count) when the message is rejected or a duplicate", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta");
    w.onRelease((body) =>
      body === "bad"
        ? { kind: "rejected", reason: "nope" }
        : { kind: "duplicate", jobId: "j", status: "complete" },
    );
    await w.send("ta", "bad");
    await w.send("ta", "dup");
    const r = await w.scheduler.tick();
    expect(r).toMatchObject({ released: 0, rejected: 1, duplicates: 1 });
    expect(w.calls.refunds).toEqual([
      { tenant: tid("ta"), daily: true },
      { tenant: tid("ta"), daily: true },
    ]);
    expect(w.running.get(tid("ta"))).toBe(0);
  });

  it("stops releasing while the work queue is deep, and when no worker reports slots", async () => {
    const w = await loopHarness(["ta"], { maxWorkQueueDepth: 3 });
    w.setQuota("ta");
    await w.send("ta", "m");
    for (let i = 0; i < 3; i++) await w.sqs.send(w.work, { body: "{}" });
    expect((await w.scheduler.tick()).freeSlots).toBe(0);
    expect(w.calls.released).toEqual([]);
    const w2 = await loopHarness(["ta"]);
    w2.setQuota("ta");
    w2.liveSlots = 0;
    await w2.send("ta", "m");
    expect((await w2.scheduler.tick()).released).toBe(0);
  });

  it("measures queue wait from SentTimestamp on the injected clock", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta");
    await w.send("ta", "m1");
    w.advance(400);
    await w.send("ta", "m2");
    w.advance(100);
    await w.scheduler.tick();
    expect([...w.scheduler.metrics.waits(tid("ta"))].sort((x, y) => x - y)).toEqual([100, 500]);
    expect(w.scheduler.metrics.snapshot()["ta"]).toMatchObject({
      released: 2,
      waitP50Ms: 100,
      waitP99Ms: 500,
    });
  });

  it("applies a quota edit at the next tick (cap 1 → 3)", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta", { maxConcurrency: 1 });
    for (let i = 0; i < 5; i++) await w.send("ta", `m${i}`);
    expect((await w.scheduler.tick()).released).toBe(1);
    w.setQuota("ta", { maxConcurrency: 3 });
    expect((await w.scheduler.tick()).released).toBe(2);
  });

  it("releases a bounded lead beyond the free slots, never past a tenant's cap", async () => {
    const w = await loopHarness(["ta", "tb"]);
    w.liveSlots = 8; // default lead: ceil(8 / 4) = 2
    w.setQuota("ta", { maxConcurrency: 3 });
    w.setQuota("tb", { maxConcurrency: 100 });
    for (let i = 0; i < 20; i++) {
      await w.send("ta", `a${i}`);
      await w.send("tb", `b${i}`);
    }
    const first = await w.scheduler.tick();
    expect(first).toMatchObject({ liveSlots: 8, lead: 2, freeSlots: 10, released: 10 });
    expect(released(w, "ta")).toHaveLength(3);
    expect(released(w, "tb")).toHaveLength(7);
    const second = await w.scheduler.tick();
    expect(second).toMatchObject({ freeSlots: 0, released: 0 });
    expect(second.waitingForSlots).toBeGreaterThan(0);
    w.running.set(tid("tb"), 5); // two of b's jobs rested
    expect((await w.scheduler.tick()).released).toBe(2);
    expect(w.running.get(tid("ta"))).toBe(3);
    expect(w.running.get(tid("tb"))).toBe(7);

    const fixed = await loopHarness(["ta"], { releaseLead: 5 });
    fixed.liveSlots = 2;
    fixed.setQuota("ta", { maxConcurrency: 100 });
    for (let i = 0; i < 10; i++) await fixed.send("ta", `m${i}`);
    expect(await fixed.scheduler.tick()).toMatchObject({ lead: 5, released: 7 });
  });

  it("caches heartbeats and the work-queue depth, counting its own releases into the depth", async () => {
    const w = await loopHarness(["ta"], { maxWorkQueueDepth: 5, releaseLead: 0 });
    w.setQuota("ta");
    for (let i = 0; i < 10; i++) await w.send("ta", `m${i}`);
    for (let i = 0; i < 3; i++) await w.sqs.send(w.work, { body: "{}" });
    expect((await w.scheduler.tick()).released).toBe(2); // depth 3 of 5
    w.running.clear();
    // The harness's release sends no work message: the queue still holds 3, the estimate 5.
    expect((await w.scheduler.tick()).released).toBe(0);
    w.liveSlots = 0;
    w.advance(499);
    expect((await w.scheduler.tick()).liveSlots).toBe(100);
    w.advance(1);
    expect(await w.scheduler.tick()).toMatchObject({ liveSlots: 0, released: 0 });
    w.liveSlots = 100;
    w.advance(500);
    expect((await w.scheduler.tick()).released).toBe(2);
  });

  it("records every tick's duration", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta");
    await w.send("ta", "m");
    const r = await w.scheduler.tick();
    await w.scheduler.tick();
    expect(r.durationMs).toBe(0); // the injected clock did not move
    expect(w.scheduler.metrics.tickStats()).toMatchObject({ count: 2, meanMs: 0, p99Ms: 0, maxMs: 0 });
  });

  it("ticks every busyIntervalMs while work waits for a slot, every intervalMs when idle", async () => {
    const w = await loopHarness(["ta"], { intervalMs: 10_000, busyIntervalMs: 5, releaseLead: 0 });
    w.liveSlots = 1;
    w.setQuota("ta");
    await w.scheduler.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(w.scheduler.metrics.ticks).toBe(1); // nothing queued: the long pause
    for (let i = 0; i < 3; i++) await w.send("ta", `m${i}`);
    w.advance(1_000); // the tenant's idle poll is due
    w.scheduler.nudge();
    await vi.waitFor(() => expect(w.calls.released).toHaveLength(1), { timeout: 1_000 });
    const ticks = w.scheduler.metrics.ticks;
    w.running.set(tid("ta"), 0); // the job rested
    await vi.waitFor(() => expect(w.calls.released).toHaveLength(2), { timeout: 1_000 });
    expect(w.scheduler.metrics.ticks).toBeGreaterThan(ticks);
    await w.scheduler.stop();
  });

  it("returns buffered messages to the queue at stop", async () => {
    const w = await loopHarness(["ta"]);
    w.setQuota("ta", { maxConcurrency: 0 });
    await w.send("ta", "held");
    await w.scheduler.start();
    await w.scheduler.tick();
    expect((await w.depth("ta")).inFlight).toBe(1);
    await w.scheduler.stop();
    expect(await w.depth("ta")).toMatchObject({ visible: 1, inFlight: 0 });
  });
});
