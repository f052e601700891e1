import { describe, expect, it } from "vitest";
import type { ReceivedMessage } from "../../../../shared/aws/sqs-port.ts";
import { stringAttr } from "../../../../shared/aws/sqs-port.ts";
import { committedSlots, freeSlots, releaseLead } from "../../../../scheduler/loop/free-slots.ts";
import { IntakeBuffer } from "../../../../scheduler/loop/intake-buffer.ts";
import type { BufferedMessage } from "../../../../scheduler/loop/intake-buffer.ts";
import { messagePriority } from "../../../../scheduler/loop/message-priority.ts";
import { quantile } from "../../../../scheduler/loop/metrics.ts";
import { settleHook, slotAction } from "../../../../shared/usage/ledger.ts";
import { silentLogger } from "../../../../shared/log/logger.ts";
import { tenantId } from "../../../../shared/tenancy/tenant-id.ts";

const msg = (id: string, sentAt: number, extra: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: "{}",
  attributes: {},
  receiveCount: 1,
  sentAt,
  ...extra,
});
const entry = (
  id: string,
  priority: BufferedMessage["priority"],
  sentAt = 0,
  visibleUntil = 1000,
): BufferedMessage => ({
  message: msg(id, sentAt),
  priority,
  receivedAt: 0,
  visibleUntil,
  failures: 0,
});

describe("IntakeBuffer", () => {
  it("takes the asked priority first, then the nearest class; replaces a re-received message", () => {
    const b = new IntakeBuffer();
    b.add([
      entry("n1", "normal", 5),
      entry("l1", "low", 1),
      entry("h1", "high", 9),
      entry("n2", "normal", 6),
    ]);
    expect(b.counts()).toEqual({ high: 1, normal: 2, low: 1 });
    expect(b.oldestSentAt()).toBe(1);
    expect(b.take("low")?.message.messageId).toBe("l1");
    expect(b.take("low")?.message.messageId).toBe("h1");
    b.add([entry("n1", "normal", 5)]);
    expect(b.size).toBe(2);
    const e = b.take("normal")!;
    b.putBack(e);
    expect(b.take("normal")?.message.messageId).toBe(e.message.messageId);
  });

  it("finds expiring entries and drops expired ones", () => {
    const b = new IntakeBuffer();
    b.add([entry("a", "normal", 0, 100), entry("b", "normal", 0, 1000)]);
    expect(b.expiring(50, 200).map((e) => e.message.messageId)).toEqual(["a"]);
    // A message says what visibility it was granted (a long poll's 10 s): extended at half of that.
    const c = new IntakeBuffer();
    c.add([{ ...entry("lp", "normal", 0, 10_000), grantedMs: 10_000 }]);
    expect(c.expiring(4_000, 60_000)).toHaveLength(0);
    expect(c.expiring(5_000, 60_000).map((e) => e.message.messageId)).toEqual(["lp"]);
    expect(b.dropExpired(100).map((e) => e.message.messageId)).toEqual(["a"]);
    expect(b.drain().map((e) => e.message.messageId)).toEqual(["b"]);
    expect(b.size).toBe(0);
  });
});

describe("freeSlots", () => {
  it("is live slots minus committed jobs, bounded by the work-queue depth guard", () => {
    expect(freeSlots({ liveSlots: 10, committed: 4, workQueue: { visible: 0 }, maxQueueDepth: 100 })).toBe(6);
    expect(
      freeSlots({ liveSlots: 10, committed: 4, workQueue: { visible: 98, delayed: 1 }, maxQueueDepth: 100 }),
    ).toBe(2); // a delayed (sleeping) message does not count
    expect(freeSlots({ liveSlots: 3, committed: 5, workQueue: { visible: 0 }, maxQueueDepth: 100 })).toBe(0);
  });

  it("adds the release lead, still bounded by the depth guard, and nothing without live slots", () => {
    const base = { workQueue: { visible: 0 }, maxQueueDepth: 100 };
    expect(freeSlots({ ...base, liveSlots: 16, committed: 16, lead: 4 })).toBe(4);
    expect(freeSlots({ ...base, liveSlots: 16, committed: 20, lead: 4 })).toBe(0);
    expect(freeSlots({ ...base, liveSlots: 16, committed: 10, lead: 4 })).toBe(10);
    expect(
      freeSlots({ liveSlots: 16, committed: 10, lead: 4, workQueue: { visible: 97 }, maxQueueDepth: 100 }),
    ).toBe(3);
    expect(freeSlots({ ...base, liveSlots: 0, committed: 0, lead: 4 })).toBe(0);
  });
});

describe("releaseLead", () => {
  it("defaults to a quarter of the live slots (at least 1); a configured value wins, 0 disables", () => {
    expect(releaseLead(16)).toBe(4);
    expect(releaseLead(6)).toBe(2);
    expect(releaseLead(1)).toBe(1);
    expect(releaseLead(0)).toBe(0);
    expect(releaseLead(16, 0)).toBe(0);
    expect(releaseLead(16, 7)).toBe(7);
    expect(releaseLead(0, 7)).toBe(0);
  });

  it("adds what the workers hold prefetched, so a quarter of the slots stays on the queue for any worker", () => {
    // Two workers of 8 slots, each prefetching 2 (their default): 4 held + 4 waiting on the queue.
    expect(releaseLead(16, undefined, 4)).toBe(8);
    expect(releaseLead(16, 7, 4)).toBe(7);
    expect(releaseLead(0, undefined, 4)).toBe(0);
    expect(releaseLead(16, undefined, -3)).toBe(4);
    expect(releaseLead(16, undefined, Number.NaN)).toBe(4);
  });
});

describe("messagePriority", () => {
  it("reads the body field, then the attribute, else normal", () => {
    expect(
      messagePriority(
        msg("1", 0, { body: '{"priority":"low"}', attributes: { priority: stringAttr("high") } }),
      ),
    ).toBe("low");
    expect(messagePriority(msg("2", 0, { attributes: { priority: stringAttr("high") } }))).toBe("high");
    expect(messagePriority(msg("3", 0, { body: '{"priority":"urgent"}' }))).toBe("normal");
    expect(messagePriority(msg("4", 0, { body: "{not json" }))).toBe("normal");
  });
});

describe("slotAction", () => {
  it("gives the slot back only when the job is terminal (ADR 0007)", () => {
    expect(slotAction({ kind: "finished", status: "complete" })).toBe("give-back");
    expect(slotAction({ kind: "resting", wakeAt: 1 })).toBe("hold");
    expect(slotAction({ kind: "review", stateName: "Review" })).toBe("hold");
    expect(slotAction({ kind: "skipped", reason: "not_due" })).toBe("hold");
    expect(slotAction({ kind: "skipped", reason: "not_claimable" })).toBe("if-terminal");
    expect(slotAction({ kind: "skipped", reason: "contended" })).toBe("hold");
    expect(slotAction({ kind: "released", reason: "shutdown" })).toBe("hold");
    expect(slotAction({ kind: "lost", reason: "conflict" })).toBe("if-terminal");
  });
});

describe("quantile", () => {
  it("is nearest-rank", () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([...Array(100).keys()], 0.99)).toBe(98);
  });
});

describe("freeSlots with resting work (ADR 0007)", () => {
  it("does not count delayed (sleeping) work-queue messages against the depth guard", () => {
    const base = { liveSlots: 8, committed: 0, maxQueueDepth: 100, lead: 0 };
    expect(freeSlots({ ...base, workQueue: { visible: 0, delayed: 500 } })).toBe(8);
    expect(freeSlots({ ...base, workQueue: { visible: 97, delayed: 500 } })).toBe(3);
    expect(freeSlots({ ...base, workQueue: { visible: 100, delayed: 0 } })).toBe(0);
  });

  it("leaves parked jobs (resting on a Wait, needs_review) out of the committed worker slots", () => {
    expect(
      committedSlots([
        { running: 120, parked: 120 },
        { running: 3, parked: 0 },
      ]),
    ).toBe(3);
    expect(committedSlots([{ running: 2, parked: 5 }, { running: 4 }])).toBe(4); // a stale parked count
    const committed = committedSlots([{ running: 120, parked: 118 }]);
    expect(freeSlots({ liveSlots: 8, committed, workQueue: { visible: 0 }, maxQueueDepth: 100 })).toBe(6);
  });
});

describe("settleHook", () => {
  const work = { tenantId: tenantId("acme"), jobId: "job-00000001" };
  const setup = (terminal: boolean | Error) => {
    const settled: string[] = [];
    const hook = settleHook(
      { recordSettled: async (_t, jobId) => (settled.push(jobId), "released" as const) },
      async () => {
        if (terminal instanceof Error) throw terminal;
        return terminal;
      },
      silentLogger(),
    );
    return { hook, settled };
  };

  it("gives the slot back on a finished run, never on a rest, a review or a Wait not yet due", async () => {
    const { hook, settled } = setup(false);
    await hook(work, { kind: "finished", status: "complete" });
    await hook(work, { kind: "resting", wakeAt: 1 });
    await hook(work, { kind: "review", stateName: "Review" });
    await hook(work, { kind: "skipped", reason: "not_due" });
    expect(settled).toEqual([work.jobId]);
  });

  it("a skipped (not claimable) or lost run settles only a job that is terminal", async () => {
    const parked = setup(false); // e.g. needs_review
    await parked.hook(work, { kind: "skipped", reason: "not_claimable" });
    await parked.hook(work, { kind: "lost", reason: "conflict" });
    expect(parked.settled).toEqual([]);
    const done = setup(true);
    await done.hook(work, { kind: "skipped", reason: "not_claimable" });
    expect(done.settled).toEqual([work.jobId]);
  });

  it("never throws (a failed lookup leaves the slot to reconcile)", async () => {
    const broken = setup(new Error("mongo down"));
    await expect(broken.hook(work, { kind: "lost", reason: "conflict" })).resolves.toBeUndefined();
    expect(broken.settled).toEqual([]);
  });
});
