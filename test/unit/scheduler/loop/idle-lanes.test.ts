import { describe, expect, it } from "vitest";
import type { ReceiveOptions, ReceivedMessage, SqsPort } from "../../../../shared/aws/sqs-port.ts";
import { silentLogger } from "../../../../shared/log/logger.ts";
import { IntakeLanes, type IntakeLaneOptions } from "../../../../scheduler/loop/intake-lanes.ts";
import { tid } from "../helpers.ts";
import { loopHarness } from "./harness.ts";

interface Call {
  readonly op: "receive" | "depth" | "other";
  readonly url: string;
  readonly waitSeconds: number;
  /** Messages the call returned (receives). */
  got: number;
}

/** Counts what the scheduler asks of SQS, per queue URL. */
function counting(calls: Call[]) {
  return (sqs: SqsPort): SqsPort => ({
    ...sqs,
    async receive(url, options: ReceiveOptions = {}) {
      const call: Call = { op: "receive", url, waitSeconds: options.waitSeconds ?? 0, got: 0 };
      calls.push(call);
      const got = await sqs.receive(url, options);
      call.got = got.length;
      return got;
    },
    async approximateDepth(url) {
      calls.push({ op: "depth", url, waitSeconds: 0, got: 0 });
      return sqs.approximateDepth(url);
    },
  });
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

describe("idle tenants on long polls (ADR 0023)", () => {
  it("an idle tenant costs one open long poll and no short receives or depth reads", async () => {
    const calls: Call[] = [];
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const w = await loopHarness(names, {}, { wrapSqs: counting(calls) });
    for (const t of names) w.setQuota(t);
    const intake = () => calls.filter((c) => c.url !== w.work); // not the work queue's guard
    try {
      await w.scheduler.tick(); // first look: one depth read and one short receive per tenant
      expect(intake().filter((c) => c.op === "depth")).toHaveLength(20);
      expect(intake().filter((c) => c.op === "receive" && c.waitSeconds === 0)).toHaveLength(20);
      expect(w.scheduler.intakeStats()).toMatchObject({ idle: 20, backlogged: 0, watching: 20 });
      expect(intake().filter((c) => c.waitSeconds === 20)).toHaveLength(20); // opened by that tick
      const before = intake().length;
      for (let i = 0; i < 50; i++) {
        w.advance(1_000); // 50 s of scheduler time
        await w.scheduler.tick();
      }
      const after = intake().slice(before);
      // Nothing since: the 20 long polls are still open (20 s each, real time here).
      expect(after).toEqual([]);
      expect(w.scheduler.intakeStats().watching).toBe(20);
    } finally {
      await w.scheduler.stop();
    }
  });

  it("a message to an idle tenant is picked up by its long poll and wakes the loop", async () => {
    const calls: Call[] = [];
    const w = await loopHarness(["quiet", "other"], { intervalMs: 60_000 }, { wrapSqs: counting(calls) });
    w.setQuota("quiet");
    w.setQuota("other");
    await w.scheduler.start(); // first tick: both go idle; then the loop sleeps 60 s
    try {
      await until(() => w.scheduler.intakeStats().watching === 2, "both tenants watched");
      const shortBefore = calls.filter((c) => c.url !== w.work && c.waitSeconds === 0).length;
      await w.send("quiet", "hello");
      // Released well before the 60 s pause ends: the long poll's answer woke the loop.
      await until(() => w.calls.released.length === 1, "the release");
      expect(w.calls.released).toEqual([{ tenant: tid("quiet"), body: "hello" }]);
      const url = w.queueUrl("quiet");
      expect(calls.filter((c) => c.url === url && c.waitSeconds === 20 && c.got === 1)).toHaveLength(1);
      // No short receive or depth read of an intake queue was needed for it.
      expect(calls.filter((c) => c.url !== w.work && c.waitSeconds === 0)).toHaveLength(shortBefore);
      await until(() => w.scheduler.intakeStats().watching === 2, "back to long polling");
    } finally {
      await w.scheduler.stop();
    }
  });

  it("a full long poll makes the tenant backlogged (depth reads, short receives) until it drains", async () => {
    const calls: Call[] = [];
    const w = await loopHarness(["busy"], { releaseLead: 0 }, { wrapSqs: counting(calls) });
    w.liveSlots = 4;
    w.setQuota("busy", { maxConcurrency: 4 });
    try {
      await w.scheduler.tick();
      expect(w.scheduler.intakeStats().idle).toBe(1);
      for (let i = 0; i < 25; i++) await w.send("busy", `m${i}`);
      await until(() => w.scheduler.intakeStats().backlogged === 1, "the long poll's answer");
      const before = calls.length;
      let ticks = 0;
      while (w.calls.released.length < 25 && ticks++ < 50) {
        w.running.set(tid("busy"), 0); // the previous jobs finished
        w.advance(1_000);
        await w.scheduler.tick();
      }
      expect(w.calls.released).toHaveLength(25);
      const during = calls.slice(before).filter((c) => c.url !== w.work);
      expect(during.some((c) => c.op === "depth")).toBe(true);
      expect(during.some((c) => c.op === "receive" && c.waitSeconds === 0 && c.got > 0)).toBe(true);
      w.advance(1_000);
      await w.scheduler.tick(); // drained: back to the long poll
      expect(w.scheduler.intakeStats()).toMatchObject({ idle: 1, watching: 1 });
    } finally {
      await w.scheduler.stop();
    }
  });

  it("a slow queue does not hold up another tenant's release", async () => {
    let hang: (() => void) | undefined;
    const hung = new Promise<void>((r) => (hang = r));
    let slowUrl = "";
    const w = await loopHarness(
      ["slow", "fast"],
      { laneIoWaitMs: 30, intake: { longPollSeconds: 0 } },
      {
        wrapSqs: (sqs) => ({
          ...sqs,
          async approximateDepth(url) {
            if (url === slowUrl) await hung;
            return sqs.approximateDepth(url);
          },
        }),
      },
    );
    slowUrl = w.queueUrl("slow");
    w.setQuota("slow");
    w.setQuota("fast");
    try {
      await w.send("slow", "s1");
      await w.send("fast", "f1");
      const first = await w.scheduler.tick();
      expect(first.released).toBe(1);
      expect(w.calls.released).toEqual([{ tenant: tid("fast"), body: "f1" }]);
      await w.send("fast", "f2");
      w.advance(1_000);
      // The slow lane's I/O is still running: this tick does not wait for it at all.
      expect((await w.scheduler.tick()).released).toBe(1);
      expect(w.calls.released.map((r) => r.body)).toEqual(["f1", "f2"]);
    } finally {
      hang?.();
      await w.scheduler.stop();
    }
    expect(w.calls.released.map((r) => r.body)).toEqual(["f1", "f2"]);
  });

  it("a failing long poll backs off for that tenant only", async () => {
    const calls: Call[] = [];
    let badUrl = "";
    const w = await loopHarness(
      ["bad", "good"],
      {},
      {
        wrapSqs: (sqs) =>
          counting(calls)({
            ...sqs,
            async receive(url, o) {
              if (url === badUrl && (o?.waitSeconds ?? 0) > 0) throw new Error("connection reset");
              return sqs.receive(url, o);
            },
          }),
      },
    );
    badUrl = w.queueUrl("bad");
    w.setQuota("bad");
    w.setQuota("good");
    try {
      await w.scheduler.tick();
      await until(() => w.scheduler.intakeStats().watching === 1, "the bad poll to fail");
      const polls = () => calls.filter((c) => c.url === badUrl && c.waitSeconds === 20).length;
      expect(polls()).toBe(1);
      await w.scheduler.tick(); // within the backoff: no new poll
      expect(polls()).toBe(1);
      w.advance(500);
      await w.scheduler.tick(); // backoff over: polls again (and fails again, 1 s backoff now)
      expect(polls()).toBe(2);
      await w.send("good", "g1");
      await until(() => w.scheduler.intakeStats().backlogged === 1, "the good tenant's message");
      expect((await w.scheduler.tick()).released).toBe(1);
    } finally {
      await w.scheduler.stop();
    }
  });
});

/** One intake message, as a bare-lanes fake SQS hands it out. */
const MESSAGE: ReceivedMessage = {
  messageId: "m1",
  receiptHandle: "rh-1",
  body: "x",
  attributes: {},
  receiveCount: 1,
  sentAt: 1,
};

/**
 * `IntakeLanes` over a fake SQS whose receives are `receive`, whose queue reads empty and whose
 * visibility changes are recorded in `changed`; one lane (acme) resolved, read short, settled idle.
 */
async function idleLane(
  receive: (o: ReceiveOptions) => Promise<ReceivedMessage[]>,
  opts: { now?: () => number; options?: Partial<IntakeLaneOptions>; onMessages?: (t: string) => void } = {},
) {
  const changed: { handle: string; seconds: number }[] = [];
  const sqs = {
    receive: (_url: string, o: ReceiveOptions = {}) => receive(o),
    async approximateDepth() {
      return { visible: 0, inFlight: 0, delayed: 0 };
    },
    async changeVisibility(_url: string, handle: string, seconds: number) {
      changed.push({ handle, seconds });
    },
  } as unknown as SqsPort;
  const lanes = new IntakeLanes(
    {
      sqs,
      intakeQueues: async () => ({ queueUrl: "q", queueName: "q", dlqUrl: "d" }),
      now: opts.now ?? (() => 1_000),
      log: silentLogger(),
      ...(opts.onMessages !== undefined ? { onMessages: opts.onMessages } : {}),
    },
    opts.options,
  );
  const lane = lanes.lane(tid("acme"));
  await lanes.resolve(lane);
  await lanes.refreshDepth(lane);
  await lanes.receive(lane, 10);
  lanes.settle(lane);
  return { lanes, lane, changed };
}

describe("returnAll with a long poll in flight", () => {
  /** A lane whose long poll stays open until `answer()` (or an abort, which answers with nothing). */
  async function openPoll() {
    let answer: ((m: ReceivedMessage[]) => void) | undefined;
    let aborted = false;
    const woken: string[] = [];
    const world = await idleLane(
      async (o) => {
        if ((o.waitSeconds ?? 0) === 0) return [];
        return new Promise<ReceivedMessage[]>((resolve) => {
          answer = resolve;
          o.signal?.addEventListener(
            "abort",
            () => {
              aborted = true;
              resolve([]);
            },
            { once: true },
          );
        });
      },
      { onMessages: (t) => woken.push(t) },
    );
    await until(() => answer !== undefined, "the long poll");
    return { ...world, woken, answer: (m: ReceivedMessage[]) => answer?.(m), aborted: () => aborted };
  }

  it("lets the poll run out instead of aborting it, and makes what it brings visible again at once", async () => {
    // An aborted poll stays open on the SQS side and takes the next message for its 10 s visibility
    // (a hand-over delayed the tenant's next message that long); a poll let go hands it back.
    const w = await openPoll();
    expect(w.lane.mode).toBe("idle");
    await w.lanes.returnAll(w.lane);
    expect(w.aborted()).toBe(false);
    expect(w.lane.watch).toBeUndefined();
    expect(w.lane.mode).toBe("backlogged");
    w.answer([MESSAGE]);
    await until(() => w.changed.length > 0, "the late message returned");
    expect(w.changed).toEqual([{ handle: "rh-1", seconds: 0 }]);
    expect(w.lane.buffer.size).toBe(0); // nothing held, nothing released
    expect(w.woken).toEqual([]);
  });

  it("abortLetGo (the scheduler stops) cuts short the polls let go", async () => {
    const w = await openPoll();
    await w.lanes.returnAll(w.lane);
    // Let go: no longer watching the lane, but the poll is still open.
    expect(w.lanes.stats()).toMatchObject({ watching: 0, lettingGo: 1 });
    await w.lanes.abortLetGo();
    expect(w.aborted()).toBe(true);
    expect(w.lanes.stats()).toMatchObject({ watching: 0, lettingGo: 0 });
  });
});

describe("the visibility a long poll asks for (session 17's KNOWN BUG)", () => {
  it("is the short long-poll visibility; the first extension gives what it delivered the full one", async () => {
    const asked: { waitSeconds: number; visibility: number | undefined }[] = [];
    let polls = 0;
    let now = 1_000;
    const { lanes, lane, changed } = await idleLane(
      async (o) => {
        asked.push({ waitSeconds: o.waitSeconds ?? 0, visibility: o.visibilityTimeout });
        if ((o.waitSeconds ?? 0) === 0) return [];
        polls += 1;
        if (polls === 1) return [MESSAGE];
        return new Promise<ReceivedMessage[]>((resolve) =>
          o.signal?.addEventListener("abort", () => resolve([]), { once: true }),
        );
      },
      { now: () => now, options: { visibilitySeconds: 60, longPollSeconds: 20 } },
    );
    await until(() => lane.buffer.size === 1, "the long poll's message");
    expect(asked.filter((a) => a.waitSeconds === 20)[0]?.visibility).toBe(10);
    expect(asked.filter((a) => a.waitSeconds === 0).every((a) => a.visibility === 60)).toBe(true);
    // Buffered with 10 s left: a tick soon after costs no extension (most such messages are released
    // by then); once half of the 10 s is gone, the extension gives it the full 60 s.
    now += 100;
    await lanes.extendExpiring(lane);
    expect(changed).toEqual([]);
    now += 4_900;
    await lanes.extendExpiring(lane);
    expect(changed).toEqual([{ handle: "rh-1", seconds: 60 }]);
    // Extended: nothing is due again for the next 29 s.
    now += 29_000;
    await lanes.extendExpiring(lane);
    expect(changed).toHaveLength(1);
    await lanes.returnAll(lane);
  });

  it("never exceeds the intake visibility", () => {
    const lanes = new IntakeLanes(
      {
        sqs: {} as SqsPort,
        intakeQueues: async () => ({ queueUrl: "q", queueName: "q", dlqUrl: "d" }),
        now: () => 0,
        log: silentLogger(),
      },
      { visibilitySeconds: 5, longPollVisibilitySeconds: 10 },
    );
    expect(lanes.options.longPollVisibilitySeconds).toBe(5);
  });
});

/**
 * Tenants "slow" and "quiet", both idle after a first tick; once `hang()` is called, reading slow's
 * depth hangs until `release()` (a tick waits for it up to its 10 s laneIoWaitMs).
 */
async function slowDepthWorld() {
  let release: (() => void) | undefined;
  let slowUrl = "";
  let slowStarted = false;
  const w = await loopHarness(
    ["slow", "quiet"],
    { laneIoWaitMs: 10_000 },
    {
      wrapSqs: (sqs) => ({
        ...sqs,
        async approximateDepth(url) {
          if (url === slowUrl && release !== undefined) {
            slowStarted = true;
            await new Promise<void>((r) => (release = r));
          }
          return sqs.approximateDepth(url);
        },
      }),
    },
  );
  slowUrl = w.queueUrl("slow");
  w.setQuota("slow");
  w.setQuota("quiet");
  await w.scheduler.tick(); // both idle, watched by their long polls
  return {
    w,
    hang: () => (release = () => undefined),
    hanging: () => slowStarted,
    release: () => release?.(),
  };
}

describe("a quota edited while a tick waits for intake I/O", () => {
  it("is what the tick decides with: a tenant paused mid-tick is not released from what its long poll brought", async () => {
    const { w, hang, hanging, release } = await slowDepthWorld();
    try {
      expect(w.scheduler.intakeStats()).toMatchObject({ idle: 2, watching: 2 });
      // "slow" gets a message: its long poll makes it backlogged; the next tick reads its depth, slowly.
      hang();
      await w.send("slow", "s1");
      await until(() => w.scheduler.intakeStats().backlogged === 1, "slow backlogged");
      w.advance(1_000);
      const ticking = w.scheduler.tick();
      await until(hanging, "the tick waiting for slow's depth read");
      // Meanwhile an operator pauses "quiet", and a message for it arrives through its long poll.
      w.setQuota("quiet", { status: "paused" });
      await w.send("quiet", "q1");
      await until(() => w.scheduler.intakeStats().backlogged === 2, "quiet's long poll answer");
      release();
      await ticking;
      expect(w.calls.released.map((r) => r.body)).toEqual(["s1"]);
      expect(w.scheduler.views().get(tid("quiet"))).toMatchObject({ backlog: 1, held: "paused" });
    } finally {
      release();
      await w.scheduler.stop();
    }
  });
});

describe("a tenant that wakes up while a tick waits for another tenant's slow intake I/O", () => {
  it("is released by that tick at once: the wait ends when its long poll answers", async () => {
    const { w, hang, hanging, release } = await slowDepthWorld();
    try {
      hang();
      await w.send("slow", "s1");
      await until(() => w.scheduler.intakeStats().backlogged === 1, "slow backlogged");
      w.advance(1_000);
      let done = false;
      const ticking = w.scheduler.tick().then(() => (done = true));
      await until(hanging, "the tick waiting for slow's depth read");
      await w.send("quiet", "q1");
      // The tick used to wait for slow's depth read (here: until released, or 10 s).
      await until(() => done, "the tick to finish while slow's read still hangs");
      await ticking;
      expect(w.calls.released.map((r) => r.body).sort()).toEqual(["q1", "s1"]);
    } finally {
      release();
      await w.scheduler.stop();
    }
  });
});
