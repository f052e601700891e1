/**
 * Measurement without touching production code: a counting proxy over the tenant-scoped jobs
 * collection (every MongoDB call the job store makes, and which updates really wrote), a JobStore
 * subclass that times a run's checkpoints (`checkpoint`, `finish`) and `claim`, and a timing proxy over the SQS port.
 */
import type { SqsPort } from "../../shared/aws/sqs-port.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import {
  JobStore,
  type CasResult,
  type ClaimResult,
  type RunEnd,
  type RunFence,
  type RunFields,
} from "../../shared/jobs/job-store.ts";
import type { ScopedCollection } from "../../shared/tenancy/scoped-collection.ts";

/** Latency samples (ms) per operation name, plus free-form counters. */
export class Recorder {
  readonly samples = new Map<string, number[]>();
  readonly counters = new Map<string, number>();

  add(op: string, ms: number): void {
    let s = this.samples.get(op);
    if (!s) this.samples.set(op, (s = []));
    s.push(ms);
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(op, performance.now() - t0);
    }
  }

  summary(): OpSummary[] {
    return [...this.samples.entries()]
      .map(([op, s]) => summarize(op, s))
      .sort((a, b) => b.totalMs - a.totalMs);
  }
}

export interface OpSummary {
  op: string;
  calls: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of `values` (q in 0..1). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(op: string, s: readonly number[]): OpSummary {
  return {
    op,
    calls: s.length,
    totalMs: s.reduce((a, b) => a + b, 0),
    p50Ms: percentile(s, 0.5),
    p99Ms: percentile(s, 0.99),
  };
}

const TIMED_MONGO = new Set(["findOne", "updateOne", "insertOne", "findOneAndUpdate", "bulkUpdateOne"]);

/**
 * Every `findOne`/`updateOne`/`insertOne`/`findOneAndUpdate`/`bulkUpdateOne` on the collection is
 * timed as `mongo.<method>`, and every `find` as `mongo.find` (until its `toArray` returns). Each
 * document an update matched counts as a `mongo.writes`, each update op that matched nothing as a
 * `mongo.unmatched_updates`; `mongo.ops_in_bulk` counts the ops sent in bulk commands.
 */
export function countingCollection<T extends JobDoc>(
  inner: ScopedCollection<T>,
  rec: Recorder,
): ScopedCollection<T> {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === "find" && typeof value === "function") return timedFind(target, value, rec);
      if (typeof prop !== "string" || !TIMED_MONGO.has(prop) || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result: unknown = await rec.time(`mongo.${prop}`, () =>
          Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)),
        );
        if (prop === "updateOne") {
          const r = result as { matchedCount: number; modifiedCount: number };
          rec.count(r.matchedCount > 0 ? "mongo.writes" : "mongo.unmatched_updates");
        } else if (prop === "findOneAndUpdate") {
          rec.count(result !== null ? "mongo.writes" : "mongo.unmatched_updates");
        } else if (prop === "bulkUpdateOne") {
          const r = result as { matchedCount: number; errors: ReadonlyMap<number, Error> };
          const ops = (args[0] as unknown[]).length;
          rec.count("mongo.ops_in_bulk", ops);
          rec.count("mongo.writes", r.matchedCount);
          rec.count("mongo.unmatched_updates", ops - r.matchedCount - r.errors.size);
        } else if (prop === "insertOne") rec.count("mongo.writes");
        return result;
      };
    },
  });
}

/** `find` returns a cursor at once: its `toArray` is what is timed. */
function timedFind(target: object, find: unknown, rec: Recorder) {
  return (...args: unknown[]) => {
    const cursor = (find as (...a: unknown[]) => { toArray(): Promise<unknown[]> }).apply(target, args);
    const toArray = cursor.toArray.bind(cursor);
    cursor.toArray = () => rec.time("mongo.find", toArray);
    return cursor;
  };
}

/** Times a run's checkpoints (`checkpoint`, `finish`) and claims, and reports each job that reached `complete`. */
export class InstrumentedJobStore extends JobStore {
  constructor(
    jobs: ScopedCollection<JobDoc>,
    private readonly rec: Recorder,
    private readonly onComplete: (jobId: string) => void = () => undefined,
  ) {
    super(jobs);
  }

  async #timed(write: () => Promise<CasResult>): Promise<CasResult> {
    const r = await this.rec.time("store.checkpoint", write);
    if (!r.ok) this.rec.count("store.cas_conflicts");
    return r;
  }

  override checkpoint(jobId: string, fence: RunFence, fields: RunFields, now: number): Promise<CasResult> {
    return this.#timed(() => super.checkpoint(jobId, fence, fields, now));
  }

  override async finish(
    jobId: string,
    fence: RunFence,
    fields: RunFields,
    end: RunEnd,
    now: number,
  ): Promise<CasResult> {
    const r = await this.#timed(() => super.finish(jobId, fence, fields, end, now));
    if (r.ok && end.status === "complete") this.onComplete(jobId);
    return r;
  }

  override claim(jobId: string, owner: string, leaseMs: number, now: number): Promise<ClaimResult> {
    return this.rec.time("store.claim", () => super.claim(jobId, owner, leaseMs, now));
  }
}

const TIMED_SQS = new Set<keyof SqsPort>([
  "send",
  "sendBatch",
  "receive",
  "changeVisibility",
  "delete",
  "deleteBatch",
]);

/**
 * Times every queue operation as `sqs.<method>` and calls `onDelete` with the number of messages
 * each `delete` / `deleteBatch` removed.
 */
export function timedSqs(
  inner: SqsPort,
  rec: Recorder,
  onDelete: (messages: number) => void = () => undefined,
): SqsPort {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string" || !TIMED_SQS.has(prop as keyof SqsPort) || typeof value !== "function") {
        return value;
      }
      return async (...args: unknown[]) => {
        const result: unknown = await rec.time(`sqs.${prop}`, () =>
          Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)),
        );
        if (prop === "receive") rec.count("sqs.messages_received", (result as unknown[]).length);
        else if (prop === "delete") onDelete(1);
        else if (prop === "deleteBatch") {
          const n = (result as Awaited<ReturnType<SqsPort["deleteBatch"]>>).successful.length;
          rec.count("sqs.messages_deleted_in_batches", n);
          onDelete(n);
        }
        return result;
      };
    },
  });
}
