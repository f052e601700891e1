import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ExecutionState } from "../../../shared/asl/index.ts";
import type { JobPatch, Review } from "../../../shared/jobs/job-doc.ts";
import type { CasResult, RunFence } from "../../../shared/jobs/job-store.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import type { PayloadRef } from "../../../shared/payloads/payload-ref.ts";
import { JobRefs } from "../../../shared/payloads/result-refs.ts";
import {
  decideWrite,
  MAX_UNWRITTEN_TRANSITIONS,
  type NextEffect,
  type SinceLastWrite,
} from "../../../workers/runner/checkpoint-policy.ts";
import { Checkpointer } from "../../../workers/runner/checkpointer.ts";

const log = pino({ level: "silent" });
const T = tenantId("acme");
const JOB = "job-1";
const REVIEW: Review = { taskToken: "t1", stateName: "Approve", input: { inline: { n: 1 } }, requestedAt: 1 };

/** Distinct execution states: the checkpointer compares them by identity and hands them to the data port. */
const state = (n: number) => ({ n }) as unknown as ExecutionState;

interface Write {
  op: "checkpoint" | "rest" | "release" | "park" | "finish";
  expected: number;
  patch: JobPatch;
}

/** An in-memory job store: a compare-and-set on `version`, and a switch to make the next writes lose. */
function fakeStore(startVersion = 1) {
  let version = startVersion;
  const writes: Write[] = [];
  const store = {
    lose: false,
    writes,
    discarded: [] as (string | null)[],
    owners: new Set<string>(),
    cas(op: Write["op"], fence: RunFence, patch: JobPatch): Promise<CasResult> {
      const expected = fence.version;
      store.owners.add(fence.owner);
      writes.push({ op, expected, patch });
      if (store.lose || expected !== version) return Promise.resolve({ ok: false, current: null });
      version++;
      return Promise.resolve({ ok: true, version });
    },
  };
  return store;
}

function setup(options: { startVersion?: number; bigStates?: boolean } = {}) {
  const store = fakeStore(options.startVersion);
  const refs = JobRefs.of({ _id: JOB, tenantId: T, resultRefs: [] });
  let objects = 0;
  const cp = new Checkpointer(
    {
      store: {
        checkpoint: (_id, fence, fields) => store.cas("checkpoint", fence, fields),
        rest: (_id, fence, fields, wakeAt) => store.cas("rest", fence, { ...fields, wakeAt }),
        release: (_id, fence, fields) => store.cas("release", fence, fields),
        park: (_id, fence, fields, review) => store.cas("park", fence, { ...fields, review }),
        finish: (_id, fence, fields, end) => store.cas("finish", fence, { ...fields, ...end }),
      },
      payloads: {
        executionPatch: (_t, _j, exec) => {
          const ref: PayloadRef | null = options.bigStates ? { key: `obj-${++objects}`, bytes: 1 } : null;
          return Promise.resolve({ execution: ref ? null : { ...exec }, executionRef: ref });
        },
        discard: (_t, ref) => {
          if (ref) store.discarded.push(ref.key);
          return Promise.resolve();
        },
      },
      tenantId: T,
      jobId: JOB,
      owner: "w1",
      refs,
      now: () => 1_000,
      log: () => log,
    },
    { version: options.startVersion ?? 1, executionRef: null },
  );
  return { cp, store, refs };
}

describe("decideWrite (the checkpoint policy, pure)", () => {
  const since = (over: Partial<SinceLastWrite> = {}): SinceLastWrite => ({
    unwritten: 1,
    stateChanged: true,
    reproducible: false,
    lost: false,
    ...over,
  });

  it("writes before every visible effect when the state changed", () => {
    for (const next of ["dispatch", "sleep", "rest", "park", "end", "release"] as NextEffect[]) {
      expect(decideWrite(since(), next), next).toBe("write");
    }
  });

  it("coalesces pure transitions until MAX_UNWRITTEN_TRANSITIONS", () => {
    expect(decideWrite(since({ unwritten: 1 }), "transition")).toBe("skip");
    expect(decideWrite(since({ unwritten: MAX_UNWRITTEN_TRANSITIONS - 1 }), "transition")).toBe("skip");
    expect(decideWrite(since({ unwritten: MAX_UNWRITTEN_TRANSITIONS }), "transition")).toBe("write");
  });

  it("dispatches a new execution's reproducible first tasks without a write", () => {
    expect(decideWrite(since({ reproducible: true }), "dispatch")).toBe("skip");
    // The reproducible stretch does not excuse a write that carries a status.
    expect(decideWrite(since({ reproducible: true }), "end")).toBe("write");
    expect(decideWrite(since({ reproducible: true }), "sleep")).toBe("write");
  });

  it("skips dispatch and sleep when the document already holds the state", () => {
    expect(decideWrite(since({ stateChanged: false }), "dispatch")).toBe("skip");
    expect(decideWrite(since({ stateChanged: false }), "sleep")).toBe("skip");
    expect(decideWrite(since({ stateChanged: false }), "end")).toBe("write");
    expect(decideWrite(since({ stateChanged: false }), "rest")).toBe("write");
  });

  it("stops after a lost CAS, whatever comes next", () => {
    for (const next of [
      "transition",
      "dispatch",
      "sleep",
      "rest",
      "park",
      "end",
      "release",
    ] as NextEffect[]) {
      expect(decideWrite(since({ lost: true, unwritten: MAX_UNWRITTEN_TRANSITIONS }), next), next).toBe(
        "stop",
      );
    }
  });
});

describe("Checkpointer (write-or-skip against a fake job store)", () => {
  it("writes before dispatching tasks, carrying every transition since the last write in one CAS", async () => {
    const { cp, store } = setup();
    cp.transitioned();
    expect(await cp.afterTransitions(state(1))).toBe(true);
    const s2 = state(2);
    cp.transitioned();
    expect(await cp.afterTransitions(s2)).toBe(true);
    expect(store.writes).toHaveLength(0);
    expect(await cp.beforeDispatch(s2)).toBe(true);
    expect(store.writes).toEqual([
      {
        op: "checkpoint",
        expected: 1,
        patch: { execution: state(2), executionRef: null, attemptsWithoutProgress: 0 },
      },
    ]);
    expect(cp.version).toBe(2);
    // Nothing new since: the next dispatch (e.g. a resumed state's in-flight tasks) writes nothing.
    expect(await cp.beforeDispatch(s2)).toBe(true);
    expect(store.writes).toHaveLength(1);
  });

  it("resets attemptsWithoutProgress on the run's first write only, and the results' keys go with the next write", async () => {
    const { cp, store, refs } = setup();
    await cp.beforeDispatch(state(1));
    refs.add(`tenants/acme/jobs/${JOB}/results/a`);
    cp.tasksFed();
    await cp.beforeSleep(state(2));
    expect(store.writes.map((w) => w.patch.attemptsWithoutProgress)).toEqual([0, undefined]);
    expect(store.writes[1]?.patch.resultRefs).toEqual([`tenants/acme/jobs/${JOB}/results/a`]);
    expect(store.writes[1]?.expected).toBe(2);
  });

  it("coalesces pure transitions and writes once MAX_UNWRITTEN_TRANSITIONS went unwritten", async () => {
    const { cp, store } = setup();
    for (let i = 1; i < MAX_UNWRITTEN_TRANSITIONS; i++) {
      cp.transitioned();
      expect(await cp.afterTransitions(state(i))).toBe(true);
    }
    expect(store.writes).toHaveLength(0);
    cp.transitioned();
    expect(await cp.afterTransitions(state(MAX_UNWRITTEN_TRANSITIONS))).toBe(true);
    expect(store.writes).toHaveLength(1);
    // The count starts over after the write.
    cp.transitioned();
    expect(await cp.afterTransitions(state(0))).toBe(true);
    expect(store.writes).toHaveLength(1);
  });

  it("dispatches a new execution's first tasks without a write, then writes before the next ones", async () => {
    const { cp, store } = setup();
    cp.startedNew(true);
    cp.transitioned();
    expect(cp.reproducible).toBe(true);
    expect(await cp.beforeDispatch(state(1))).toBe(true);
    expect(store.writes).toHaveLength(0);
    cp.tasksFed();
    expect(cp.reproducible).toBe(false);
    cp.transitioned();
    expect(await cp.beforeDispatch(state(2))).toBe(true);
    expect(store.writes).toHaveLength(1);
  });

  it("a write ends the reproducible stretch (the derived clock is used until the first write)", async () => {
    const { cp } = setup();
    cp.startedNew(true);
    await cp.beforeSleep(state(1));
    expect(cp.reproducible).toBe(false);
  });

  it("a job not started on the definition it was created with is not reproducible: its first tasks wait for a write", async () => {
    const { cp, store } = setup();
    cp.startedNew(false);
    expect(await cp.beforeDispatch(state(1))).toBe(true);
    expect(store.writes).toHaveLength(1);
  });

  it("writes before sleeping on a Wait, and rests, parks, ends and releases with their own write", async () => {
    const { cp, store } = setup();
    const s0 = state(0);
    const s1 = state(1);
    cp.resumed(s0);
    expect(await cp.beforeSleep(s0)).toBe(true);
    expect(store.writes).toHaveLength(0);
    expect(await cp.beforeSleep(s1)).toBe(true);
    expect(await cp.rest(s1, 5_000)).toBe(true);
    expect(await cp.park(s1, REVIEW)).toBe(true);
    expect(await cp.end(undefined, { status: "failed", error: "E", cause: "c" })).toBe(true);
    expect(await cp.release(state(2))).toBe(true);
    expect(store.writes.map((w) => [w.op, w.expected])).toEqual([
      ["checkpoint", 1],
      ["rest", 2],
      ["park", 3],
      ["finish", 4],
      ["release", 5],
    ]);
    // Every write is fenced by the run's lease owner.
    expect([...store.owners]).toEqual(["w1"]);
    // The rest stores the wake-up time; the state written before the sleep is not written again.
    expect(store.writes[1]?.patch).toEqual({ wakeAt: 5_000 });
    expect(store.writes[2]?.patch).toEqual({ review: REVIEW });
    expect(store.writes[3]?.patch).toEqual({ status: "failed", error: "E", cause: "c" });
    expect(store.writes[4]?.patch.execution).toEqual(state(2));
  });

  it("abandons the job after an error: the lease given back at the last written version, no progress written", async () => {
    const { cp, store } = setup();
    await cp.beforeDispatch(state(1));
    expect(await cp.abandon()).toBe(true);
    expect(store.writes.map((w) => [w.op, w.expected, w.patch])).toEqual([
      ["checkpoint", 1, { execution: state(1), executionRef: null, attemptsWithoutProgress: 0 }],
      ["release", 2, {}],
    ]);
  });

  it("stops without writing after a lost CAS, and deletes the object the lost write had stored", async () => {
    const { cp, store } = setup({ bigStates: true });
    store.lose = true;
    expect(await cp.beforeDispatch(state(1))).toBe(false);
    expect(cp.lost).toBe(true);
    expect(store.discarded).toEqual(["obj-1"]);
    store.lose = false;
    const before = store.writes.length;
    cp.transitioned();
    expect(await cp.afterTransitions(state(2))).toBe(false);
    expect(await cp.beforeDispatch(state(2))).toBe(false);
    expect(await cp.beforeSleep(state(2))).toBe(false);
    expect(await cp.rest(state(2), 5_000)).toBe(false);
    expect(await cp.park(state(2), REVIEW)).toBe(false);
    expect(await cp.end(state(2), { status: "complete", output: { inline: 1 } })).toBe(false);
    expect(await cp.release(state(2))).toBe(false);
    expect(store.writes).toHaveLength(before);
    expect(cp.version).toBe(1);
  });

  it("replaces the S3 object of a large state after the write that supersedes it", async () => {
    const { cp, store } = setup({ bigStates: true });
    await cp.beforeDispatch(state(1));
    cp.tasksFed();
    await cp.beforeDispatch(state(2));
    expect(store.writes.map((w) => w.patch.executionRef?.key)).toEqual(["obj-1", "obj-2"]);
    expect(store.discarded).toEqual(["obj-1"]);
  });
});
