/**
 * `workflow_versions`: every workflow definition a job was ever created or started on, keyed by its
 * content hash (`_id`, the engine's `CompiledMachine.hash`). Written idempotently (an upsert that
 * only ever inserts) before the first job on a version exists, never updated or deleted, so a job
 * parked or in flight can always finish on the definition it started on, whatever the files say
 * now. Fleet-level data, like `workers`: a definition belongs to the fleet, not to a tenant.
 */
import type { Collection, Db } from "mongodb";
import { z } from "zod";
import { isDuplicateKeyError } from "../mongo/errors.ts";
import { COLLECTIONS } from "../mongo/collections.ts";
import { durable } from "../mongo/write-concern.ts";

/** A version id: the 32 hex digits of `hashDefinition`. */
export const WorkflowVersionIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lowercase hex digits");

export const WorkflowVersionDocSchema = z.strictObject({
  _id: WorkflowVersionIdSchema,
  /** The workflow name it was first recorded under (a later name with the same content shares it). */
  name: z.string().min(1).max(200),
  /** The definition as canonical JSON text (`JSON.stringify`), so it hashes back to `_id`. */
  definition: z.string().min(2),
  recordedAt: z.int().nonnegative(),
});
export type WorkflowVersionDoc = z.infer<typeof WorkflowVersionDocSchema>;

/** The port: get by hash, put once (a second put of the same hash is a no-op). */
export interface WorkflowVersionStore {
  get(version: string): Promise<WorkflowVersionDoc | null>;
  put(doc: WorkflowVersionDoc): Promise<void>;
}

export class InvalidWorkflowVersionDocError extends Error {
  constructor(
    readonly version: string,
    readonly issues: string[],
  ) {
    super(`workflow_versions document ${version} is invalid: ${issues.join("; ")}`);
    this.name = "InvalidWorkflowVersionDocError";
  }
}

export function parseWorkflowVersionDoc(raw: unknown, version: string): WorkflowVersionDoc {
  const r = WorkflowVersionDocSchema.safeParse(raw);
  if (!r.success) {
    throw new InvalidWorkflowVersionDocError(
      version,
      r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(document)"}: ${i.message}`),
    );
  }
  return r.data;
}

export class MongoWorkflowVersionStore implements WorkflowVersionStore {
  readonly #coll: Collection<WorkflowVersionDoc>;

  constructor(db: Db) {
    this.#coll = db.collection<WorkflowVersionDoc>(COLLECTIONS.workflowVersions);
  }

  async get(version: string): Promise<WorkflowVersionDoc | null> {
    const raw = await this.#coll.findOne({ _id: version });
    return raw === null ? null : parseWorkflowVersionDoc(raw, version);
  }

  /** Every version recorded under `name`, newest first (`sluice workflows versions`). */
  async listByName(name: string, limit = 100): Promise<WorkflowVersionDoc[]> {
    const rows = await this.#coll.find({ name }, { sort: { recordedAt: -1, _id: 1 }, limit }).toArray();
    return rows.map((r) => parseWorkflowVersionDoc(r, r._id));
  }

  async put(doc: WorkflowVersionDoc): Promise<void> {
    const valid = WorkflowVersionDocSchema.parse(doc);
    const { _id, ...fields } = valid;
    try {
      await this.#coll.updateOne({ _id }, { $setOnInsert: fields }, durable({ upsert: true }));
    } catch (err) {
      // Two writers raced on the same hash: the other one inserted the same content.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}
