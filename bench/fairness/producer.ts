/**
 * The benchmark's upstream: puts the scenario's jobs where each phase takes them from, recording for
 * every job the producer's clock just before the send (`sentAt`), keyed by the job's idempotency key
 * (`<phase>-<tenant>-<n>`), which the job document carries.
 *
 * - Sluice: intake messages on each tenant's intake queue (dumps in batches of 10, several batches in
 *   flight; trickles one message at each planned time).
 * - FIFO: no scheduler, so the producer creates each job document itself and sends its work message
 *   to the one shared work queue; dumps are interleaved in a seeded random order (as if every
 *   tenant's backlog arrived at once), and insertMany'd before their messages are sent.
 */
import pLimit from "p-limit";
import { streamFor } from "./sim/prng.ts";
import { newQueuedJob, type JobDoc } from "../../shared/jobs/job-doc.ts";
import { newJobId } from "../../shared/jobs/job-id.ts";
import type { IntakeMessage } from "../../shared/messages/intake-message.ts";
import type { WorkMessage } from "../../shared/messages/work-message.ts";
import { COLLECTIONS } from "../../shared/mongo/collections.ts";
import type { Runtime } from "../../shared/runtime/runtime.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { Workflow } from "../../shared/workflows/catalog.ts";
import { trickleTimes, type Scenario } from "./scenario.ts";

export type Mode = "intake" | "fifo";

export interface Sent {
  readonly tenant: TenantId;
  readonly key: string;
  readonly sentAt: number;
}

export interface Producer {
  /** Every job sent so far. */
  readonly sent: Sent[];
  /** Sends every tenant's dump; resolves when all are on their queues. */
  dumps(): Promise<void>;
  /** Starts the trickles, planned times relative to `t0`. */
  startTrickles(t0: number): void;
  /** Stops sending and waits for sends in flight. */
  stop(): Promise<void>;
}

const PARALLEL_BATCHES = 8;

export function createProducer(rt: Runtime, s: Scenario, wf: Workflow, phase: string, mode: Mode): Producer {
  const sent: Sent[] = [];
  const counters = new Map<TenantId, number>();
  const nextKey = (t: TenantId): string => {
    const n = counters.get(t) ?? 0;
    counters.set(t, n + 1);
    return `${phase}-${t}-${n}`;
  };
  const intakeBody = (t: TenantId, key: string): string => {
    const m: IntakeMessage = { tenantId: t, workflow: wf.name, idempotencyKey: key, input: {} };
    return JSON.stringify(m);
  };
  const jobDoc = (t: TenantId, key: string, now: number): JobDoc =>
    newQueuedJob(
      {
        jobId: newJobId(now),
        tenantId: t,
        idempotencyKey: key,
        workflow: { name: wf.name, version: wf.version },
        input: { inline: {} },
      },
      now,
    );
  const workBody = (doc: JobDoc): string =>
    JSON.stringify({ tenantId: doc.tenantId, jobId: doc._id } satisfies WorkMessage);
  const inFlight = new Set<Promise<unknown>>();
  const timers: NodeJS.Timeout[] = [];
  const track = (p: Promise<unknown>) => {
    const q = p.catch((err: unknown) => console.error(`[bench] send failed: ${(err as Error).message}`));
    inFlight.add(q);
    void q.finally(() => inFlight.delete(q));
  };

  /** Sends `bodies` to `url` in batches of 10, a few batches in flight, stamping each batch's `sentAt`. */
  async function sendBatches(items: readonly { tenant: TenantId; key: string; url: string; body: string }[]) {
    const limit = pLimit(PARALLEL_BATCHES);
    const batches: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 10) {
      const chunk = items.slice(i, i + 10);
      // A batch goes to one queue: split where the URL changes.
      let start = 0;
      for (let k = 1; k <= chunk.length; k++)
        if (k === chunk.length || chunk[k]!.url !== chunk[start]!.url) {
          batches.push(chunk.slice(start, k));
          start = k;
        }
    }
    await Promise.all(
      batches.map((b) =>
        limit(async () => {
          const at = Date.now();
          const res = await rt.sqs.sendBatch(
            b[0]!.url,
            b.map((m) => ({ body: m.body })),
          );
          if (res.failed.length > 0) throw new Error(`${res.failed.length} dump messages not sent`);
          for (const m of b) sent.push({ tenant: m.tenant, key: m.key, sentAt: at });
        }),
      ),
    );
  }

  async function dumpsIntake(): Promise<void> {
    const items = [];
    for (const t of s.tenants) {
      if (t.dump === 0) continue;
      const url = (await rt.queues.intake(t.id)).queueUrl;
      for (let n = 0; n < t.dump; n++) {
        const key = nextKey(t.id);
        items.push({ tenant: t.id, key, url, body: intakeBody(t.id, key) });
      }
    }
    await sendBatches(items);
  }

  async function dumpsFifo(): Promise<void> {
    const now = Date.now();
    const docs = s.tenants.flatMap((t) =>
      Array.from({ length: t.dump }, () => jobDoc(t.id, nextKey(t.id), now)),
    );
    const rng = streamFor(s.seed, "fifo-dump-order");
    for (let i = docs.length - 1; i > 0; i--) {
      const k = Math.floor(rng.next() * (i + 1));
      [docs[i], docs[k]] = [docs[k]!, docs[i]!];
    }
    const jobs = rt.fleetDb.collection<JobDoc>(COLLECTIONS.jobs);
    for (let i = 0; i < docs.length; i += 1000)
      await jobs.insertMany(docs.slice(i, i + 1000), { ordered: false });
    await sendBatches(
      docs.map((d) => ({
        tenant: d.tenantId,
        key: d.idempotencyKey,
        url: rt.queues.work,
        body: workBody(d),
      })),
    );
  }

  async function sendOne(t: TenantId): Promise<void> {
    const key = nextKey(t);
    const at = Date.now();
    if (mode === "intake") {
      const url = (await rt.queues.intake(t)).queueUrl;
      sent.push({ tenant: t, key, sentAt: at });
      await rt.sqs.send(url, { body: intakeBody(t, key) });
    } else {
      const doc = jobDoc(t, key, at);
      sent.push({ tenant: t, key, sentAt: at });
      await rt.jobsOf(t).create(doc);
      await rt.sqs.send(rt.queues.work, { body: workBody(doc) });
    }
  }

  let stopped = false;
  return {
    sent,
    dumps: () => (mode === "intake" ? dumpsIntake() : dumpsFifo()),
    startTrickles(t0) {
      for (const t of s.tenants)
        for (const at of trickleTimes(s, t)) {
          timers.push(
            setTimeout(
              () => {
                if (!stopped) track(sendOne(t.id));
              },
              Math.max(0, t0 + at - Date.now()),
            ),
          );
        }
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
