/**
 * Retiring a job document that fails validation (hand-edited, or written by an older or buggy
 * writer). Such a job cannot be claimed or run: every read of it throws `InvalidJobDocError`. Left
 * alone it would come back forever (the sweeper re-drives it, its message is poisoned, the sweeper
 * re-drives it again) and hold its tenant's slot. So it is marked `failed` with
 * `Sluice.InvalidJobDocument`:
 *
 * - `retirement(raw, now)` (pure) decides the fields to write: the terminal status, error and cause
 *   (the field paths that failed), no lease, and a valid fallback for each top-level field that
 *   failed (`execution: null`, `history: []`, ...), so that the document reads as a failed job again
 *   and the usage accounting sees it terminal. `_id` and `tenantId` have no fallback: a document
 *   whose id or tenant is bad stays unreadable, but is failed all the same.
 * - `retireInvalidJob` writes them with one compare-and-set on the version the document has
 *   (whatever it is, even a malformed one), through the tenant-scoped collection, and keeps the
 *   whole document as it was under `invalid.raw` for the operator (with `invalid.issues` and
 *   `invalid.at`). A document that changed in between is left alone (`changed`): re-read and
 *   re-decide.
 */
import type { Filter } from "mongodb";
import type { ScopedCollection } from "../tenancy/scoped-collection.ts";
import { HISTORY_LIMIT, JobDocSchema, type JobDoc } from "./job-doc.ts";

export const INVALID_JOB_ERROR = "Sluice.InvalidJobDocument";

export interface Issue {
  path: string;
  message: string;
}

/** Valid values for the top-level fields that may be replaced (what a fresh job would hold). */
const FALLBACKS: Readonly<Record<string, (raw: Record<string, unknown>, now: number) => unknown>> = {
  idempotencyKey: (raw) => `invalid-document:${String(raw._id)}`,
  workflow: () => ({ name: "(invalid)", version: "(invalid)" }),
  execution: () => null,
  executionRef: () => null,
  input: () => ({ inline: null }),
  output: () => null,
  resultRefs: () => [],
  attempts: () => 0,
  priority: () => 0,
  startedAt: () => null,
  createdAt: (_, now) => now,
  history: () => [],
};

export const issuesOf = (error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));

/**
 * The fields that retire `raw` as a failed invalid job, and what was wrong with it; null when `raw`
 * is a valid job document.
 */
export function retirement(
  raw: Record<string, unknown>,
  now: number,
): { set: Record<string, unknown>; issues: Issue[] } | null {
  const parsed = JobDocSchema.safeParse(raw);
  if (parsed.success) return null;
  const issues = issuesOf(parsed.error);
  const cause = `job document failed validation: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`;
  const set: Record<string, unknown> = {
    status: "failed",
    error: INVALID_JOB_ERROR,
    cause: cause.slice(0, 32_000),
    lease: null,
    wakeAt: null,
    review: null,
    finishedAt: now,
    updatedAt: now,
    version: Number.isInteger(raw.version) && (raw.version as number) >= 0 ? (raw.version as number) + 1 : 1,
  };
  // Replace what fails, field by field; a fix can reveal a check that only runs once the rest
  // parses (the S3 keys' tenant), hence a few rounds.
  for (let round = 0; round < 4; round++) {
    const r = JobDocSchema.safeParse({ ...raw, ...set });
    if (r.success) break;
    let fixed = false;
    for (const i of r.error.issues) {
      const field = String(i.path[0] ?? "");
      const fallback = Object.hasOwn(FALLBACKS, field) ? FALLBACKS[field] : undefined;
      if (fallback && !Object.hasOwn(set, field)) {
        set[field] = fallback(raw, now);
        fixed = true;
      }
    }
    if (!fixed) break;
  }
  const event = { at: now, type: "invalid_document", detail: { issues: issues.slice(0, 20) } };
  const kept = Object.hasOwn(set, "history") || !Array.isArray(raw.history) ? [] : raw.history;
  set.history = [...kept, event].slice(-HISTORY_LIMIT);
  return { set, issues };
}

export type RetireOutcome =
  /** Marked failed now (`written`), or found already retired by an earlier call. */
  | { kind: "retired"; issues: Issue[]; written: boolean }
  /** The document is valid (repaired meanwhile): nothing written. */
  | { kind: "valid" }
  /** It changed between the read and the write: nothing written; read again. */
  | { kind: "changed" }
  | { kind: "not_found" };

/** Marks the tenant's job `jobId` failed with `Sluice.InvalidJobDocument` if its document is invalid. */
export async function retireInvalidJob(
  jobs: ScopedCollection<JobDoc>,
  jobId: string,
  now: number,
): Promise<RetireOutcome> {
  const raw = (await jobs.findOne({ _id: jobId })) as Record<string, unknown> | null;
  if (raw === null) return { kind: "not_found" };
  const r = retirement(raw, now);
  if (r === null) return { kind: "valid" };
  if (raw.status === "failed" && raw.error === INVALID_JOB_ERROR) {
    return { kind: "retired", issues: r.issues, written: false };
  }
  const { _id, casTokens, invalid, ...document } = raw;
  void _id;
  void casTokens;
  void invalid;
  const filter = {
    _id: jobId,
    version: raw.version === undefined ? { $exists: false } : raw.version,
  } as Filter<JobDoc>;
  const res = await jobs.updateOne(filter, {
    $set: { ...r.set, invalid: { at: now, issues: r.issues, raw: document } },
  });
  return res.matchedCount === 1 ? { kind: "retired", issues: r.issues, written: true } : { kind: "changed" };
}
