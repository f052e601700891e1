/**
 * What the chaos run sends, a pure function of the seed: `jobs` valid jobs of the chaos workflow
 * spread over the tenants in proportion to their caps, plus duplicates (the very same message again,
 * same idempotency key, sent later) and garbage of three kinds (malformed JSON, an unknown workflow,
 * a message naming another tenant than its queue's). Every message is marked so the counting can
 * tell it apart: valid and duplicate messages carry the job's idempotency key, garbage carries
 * `garbage-<n>` in its body.
 */
import { streamFor } from "../fairness/sim/prng.ts";

export interface ChaosTenant {
  readonly id: string;
  readonly maxConcurrency: number;
  readonly weight: number;
}

export type GarbageKind = "malformed" | "unknown-workflow" | "wrong-tenant";

export type PlannedMessage =
  | { readonly kind: "job"; readonly tenant: string; readonly key: string; readonly body: string }
  | { readonly kind: "duplicate"; readonly tenant: string; readonly key: string; readonly body: string }
  | {
      readonly kind: "garbage";
      readonly garbage: GarbageKind;
      /** The queue's tenant (the intake queue it is sent to). */
      readonly tenant: string;
      readonly key: string;
      readonly body: string;
    };

export interface WorkloadOptions {
  readonly seed: number;
  readonly jobs: number;
  readonly tenants: readonly ChaosTenant[];
  readonly workflow: string;
  /** Duplicates per valid job (default 0.05). */
  readonly duplicateRate?: number;
  /** Garbage messages per valid job (default 0.03). */
  readonly garbageRate?: number;
}

const GARBAGE_KINDS: readonly GarbageKind[] = ["malformed", "unknown-workflow", "wrong-tenant"];

export function garbageKey(n: number): string {
  return `garbage-${n}`;
}

const GARBAGE_KEY = /garbage-\d+/;

/** The garbage key a body carries, if any. */
export function garbageKeyIn(body: string): string | undefined {
  return GARBAGE_KEY.exec(body)?.[0];
}

function jobBody(tenant: string, workflow: string, key: string, n: number): string {
  return JSON.stringify({ tenantId: tenant, workflow, idempotencyKey: key, input: { n, items: [1, 2, 3] } });
}

function garbageBody(kind: GarbageKind, queueTenant: string, other: string, workflow: string, key: string) {
  switch (kind) {
    case "malformed":
      return `{"tenantId":"${queueTenant}","idempotencyKey":"${key}","input":{`;
    case "unknown-workflow":
      return JSON.stringify({
        tenantId: queueTenant,
        workflow: "no-such-workflow",
        idempotencyKey: key,
        input: {},
      });
    case "wrong-tenant":
      return JSON.stringify({ tenantId: other, workflow, idempotencyKey: key, input: {} });
  }
}

export function planWorkload(o: WorkloadOptions): PlannedMessage[] {
  if (o.tenants.length < 2) throw new Error("planWorkload: at least two tenants");
  const rng = streamFor(o.seed, "chaos-workload");
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rng.next() * xs.length))]!;
  const totalCap = o.tenants.reduce((n, t) => n + t.maxConcurrency, 0);
  const tenantFor = (u: number): ChaosTenant => {
    let acc = 0;
    for (const t of o.tenants) {
      acc += t.maxConcurrency / totalCap;
      if (u < acc) return t;
    }
    return o.tenants[o.tenants.length - 1]!;
  };
  const out: PlannedMessage[] = [];
  for (let i = 0; i < o.jobs; i++) {
    const t = tenantFor(rng.next());
    const key = `job-${String(i).padStart(5, "0")}`;
    out.push({ kind: "job", tenant: t.id, key, body: jobBody(t.id, o.workflow, key, i) });
  }
  // Duplicates land after their original, anywhere later in the stream (also after it completed).
  const dups = Math.round(o.jobs * (o.duplicateRate ?? 0.05));
  for (let d = 0; d < dups; d++) {
    const of = out.filter((m) => m.kind === "job")[Math.floor(rng.next() * o.jobs)]!;
    const from = out.indexOf(of) + 1;
    const at = from + Math.floor(rng.next() * (out.length - from + 1));
    out.splice(at, 0, { kind: "duplicate", tenant: of.tenant, key: of.key, body: of.body });
  }
  const garbage = Math.round(o.jobs * (o.garbageRate ?? 0.03));
  for (let g = 0; g < garbage; g++) {
    const kind = GARBAGE_KINDS[g % GARBAGE_KINDS.length]!;
    const t = pick(o.tenants);
    const other = pick(o.tenants.filter((x) => x.id !== t.id));
    const key = garbageKey(g);
    const at = Math.floor(rng.next() * (out.length + 1));
    out.splice(at, 0, {
      kind: "garbage",
      garbage: kind,
      tenant: t.id,
      key,
      body: garbageBody(kind, t.id, other.id, o.workflow, key),
    });
  }
  return out;
}
