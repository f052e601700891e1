/**
 * The objects of a tenant move: everything under `tenants/<t>/` in the old placement (bucket + KMS
 * key, from the tenant document's `storage.bucket` / `storage.kmsKeyId`) goes to the new one
 * (docs/adr/0022-encryption-and-least-privilege.md, "Moving objects"). Each function is idempotent,
 * so a move killed anywhere resumes by calling it again:
 *
 * - `copyObjects`: every object of the old placement that the new one lacks (or holds older, or, in
 *   one bucket, not yet under the new encryption) is copied with CopyObject under the new key.
 * - `verifyObjects`: lists the old placement, copies what appeared since, then checks every listed
 *   key in the new placement by HeadObject: present, same size, carrying the new encryption.
 * - `cleanObjects`: lists the old placement, copies anything not in the new one yet, then deletes the
 *   old object (another bucket only: in one bucket the re-encrypted object is the object).
 * - `undoObjects` (abort before the switch): deletes the copies, or re-encrypts back in one bucket.
 *
 * Pure decisions (`needsCopy`, `carriesEncryption`) are exported for the unit tests.
 */
import pLimit from "p-limit";
import type { ObjectPlacement } from "../../shared/aws/encryption.ts";
import type { TenantId } from "../../shared/tenancy/tenant-id.ts";
import type { HeadInfo, ListedObject, ObjectPort } from "../../shared/aws/s3-object-mover.ts";

export interface ObjectMoveContext {
  readonly port: ObjectPort;
  readonly tenant: TenantId;
  readonly from: ObjectPlacement;
  readonly to: ObjectPlacement;
  /** Copies, heads and deletes in flight at once. */
  readonly concurrency: number;
  readonly progress: (line: string) => void;
}

/** A KMS key id given as an alias cannot be compared with the key ARN S3 records. */
export const isAlias = (keyId: string): boolean => keyId.startsWith("alias/") || keyId.includes(":alias/");

/** Whether the key S3 recorded (`actual`, an ARN) is `wanted` (an id or ARN); undefined for an alias. */
export function sameKmsKey(actual: string | undefined, wanted: string): boolean | undefined {
  if (isAlias(wanted)) return undefined;
  return actual !== undefined && (actual === wanted || actual.endsWith(`:key/${wanted}`));
}

/**
 * Whether an object as headed carries the encryption of placement `to` (moving from `from`): the
 * new key when `to` has one (an alias: any SSE-KMS key, unverifiable), else not the old key (the
 * bucket default applies). Pure.
 */
export function carriesEncryption(head: HeadInfo, from: ObjectPlacement, to: ObjectPlacement): boolean {
  if (to.kmsKeyId !== undefined) {
    if (head.sse !== "aws:kms") return false;
    return sameKmsKey(head.kmsKeyId, to.kmsKeyId) ?? true;
  }
  if (from.kmsKeyId === undefined) return true;
  return !(head.sse === "aws:kms" && sameKmsKey(head.kmsKeyId, from.kmsKeyId) !== false);
}

/**
 * Between two buckets: an old object needs copying when the new bucket lacks it, holds another size,
 * or holds an older one (the old object was written again after the copy). Pure.
 */
export function needsCopy(old: ListedObject, copy: ListedObject | undefined): boolean {
  return copy === undefined || copy.size !== old.size || copy.lastModified < old.lastModified;
}

async function listAll(ctx: ObjectMoveContext, bucket: string): Promise<Map<string, ListedObject>> {
  const out = new Map<string, ListedObject>();
  for await (const o of ctx.port.list(ctx.tenant, bucket)) out.set(o.key, o);
  return out;
}

const inPlace = (ctx: ObjectMoveContext) => ctx.from.bucket === ctx.to.bucket;

/** Runs `fn` over `items` with the context's concurrency, with a progress line every 500. */
async function each<T>(
  ctx: ObjectMoveContext,
  what: string,
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const limit = pLimit(Math.max(1, ctx.concurrency));
  let done = 0;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        await fn(item);
        done += 1;
        if (done % 500 === 0) ctx.progress(`${what}: ${done} of ${items.length} objects`);
      }),
    ),
  );
}

/** Copies what the new placement does not hold yet (see the module comment). Returns the count copied. */
export async function copyObjects(
  ctx: ObjectMoveContext,
  what = "copying",
  listed?: ReadonlyMap<string, ListedObject>,
): Promise<number> {
  const old = listed ?? (await listAll(ctx, ctx.from.bucket));
  let copied = 0;
  if (inPlace(ctx)) {
    await each(ctx, what, [...old.keys()], async (key) => {
      const head = await ctx.port.head(ctx.tenant, ctx.from.bucket, key);
      if (head === undefined) return; // deleted meanwhile
      // An alias cannot be checked: re-encrypt (idempotent, only more work).
      const aliased = ctx.to.kmsKeyId !== undefined && isAlias(ctx.to.kmsKeyId);
      if (!aliased && carriesEncryption(head, ctx.from, ctx.to)) return;
      if (await ctx.port.copy(ctx.tenant, key, ctx.from.bucket, ctx.to, head)) copied += 1;
    });
    return copied;
  }
  const copies = await listAll(ctx, ctx.to.bucket);
  const todo = [...old.values()].filter((o) => needsCopy(o, copies.get(o.key)));
  await each(ctx, what, todo, async (o) => {
    // False: deleted at the source since the listing (a job replaced it): nothing to move.
    if (await ctx.port.copy(ctx.tenant, o.key, ctx.from.bucket, ctx.to, undefined)) copied += 1;
  });
  return copied;
}

export interface ObjectVerification {
  readonly count: number;
  readonly bytes: number;
  /** Copied by the verification first (written to the old placement since the copy). */
  readonly caughtUp: number;
  /** Keys that failed, with why (at most 10). */
  readonly problems: readonly string[];
}

/**
 * Every object the old placement holds now (one listing; what is written after it is the drain's)
 * is in the new one with the same size and the new encryption (HeadObject on each), copied first if
 * it was written since the copy. ETags are not compared: under SSE-KMS they are not the MD5 of
 * the content and differ between the original and its copy.
 */
export async function verifyObjects(ctx: ObjectMoveContext): Promise<ObjectVerification> {
  const old = await listAll(ctx, ctx.from.bucket);
  const caughtUp = await copyObjects(ctx, "verifying (catching up)", old);
  const problems: string[] = [];
  let count = 0;
  let bytes = 0;
  await each(ctx, "verifying", [...old.values()], async (o) => {
    const head = await ctx.port.head(ctx.tenant, ctx.to.bucket, o.key);
    // Not copied because it was deleted at the source since the listing: nothing to verify.
    if (head === undefined && (await ctx.port.head(ctx.tenant, ctx.from.bucket, o.key)) === undefined) return;
    const problem =
      head === undefined
        ? "missing"
        : head.size !== o.size && !inPlace(ctx)
          ? `size ${head.size}, expected ${o.size}`
          : !carriesEncryption(head, ctx.from, ctx.to)
            ? `encrypted with ${head.sse ?? "nothing"} ${head.kmsKeyId ?? ""}`.trim()
            : undefined;
    if (problem !== undefined) {
      if (problems.length < 10) problems.push(`${o.key}: ${problem}`);
      return;
    }
    count += 1;
    bytes += head?.size ?? 0;
  });
  return { count, bytes, caughtUp, problems };
}

/**
 * After the drain: copies anything still missing from the new placement, then deletes the old
 * objects (between two buckets). Returns the counts copied and deleted.
 */
export async function cleanObjects(ctx: ObjectMoveContext): Promise<{ copied: number; deleted: number }> {
  const copied = await copyObjects(ctx, "final catch-up");
  if (inPlace(ctx)) return { copied, deleted: 0 };
  const old = await listAll(ctx, ctx.from.bucket);
  const copies = await listAll(ctx, ctx.to.bucket);
  let deleted = 0;
  let late = 0;
  await each(ctx, "deleting from the old placement", [...old.values()], async (o) => {
    if (needsCopy(o, copies.get(o.key))) {
      // Written after the last listing: copy it before it goes.
      if (await ctx.port.copy(ctx.tenant, o.key, ctx.from.bucket, ctx.to, undefined)) late += 1;
    }
    await ctx.port.delete(ctx.tenant, ctx.from.bucket, o.key);
    deleted += 1;
  });
  return { copied: copied + late, deleted };
}

/** Undoes the copy before the switch: the copies deleted (another bucket) or re-encrypted back. */
export async function undoObjects(ctx: ObjectMoveContext): Promise<number> {
  if (inPlace(ctx)) return copyObjects({ ...ctx, from: ctx.to, to: ctx.from }, "re-encrypting back");
  const copies = await listAll(ctx, ctx.to.bucket);
  await each(ctx, "deleting the copies", [...copies.keys()], (key) =>
    ctx.port.delete(ctx.tenant, ctx.to.bucket, key),
  );
  return copies.size;
}
