import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { z } from "zod";
import {
  assertKeyBelongsToTenant,
  isTenantKey,
  tenantKey,
  tenantPrefix,
  type TenantKey,
} from "../tenancy/keys.ts";
import type { TenantId } from "../tenancy/tenant-id.ts";
import {
  bucketEncryption,
  putEncryption,
  SIGNED_ENCRYPTION_HEADERS,
  type ObjectPlacement,
} from "./encryption.ts";
import { AwsAdapterError, awsCall, isAwsError } from "./errors.ts";

/**
 * Where an object lives: key parts under the tenant's prefix (built by `tenantKey`), or a `TenantKey`
 * already produced by the key builder or checked by `assertKeyBelongsToTenant`. Either way the
 * adapter re-checks it belongs to the tenant the call names.
 */
export type KeyRef = readonly [string, ...string[]] | TenantKey;

export type PutBody = NonNullable<PutObjectCommandInput["Body"]>;

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

export interface ObjectInfo {
  readonly key: TenantKey;
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
  readonly contentType?: string | undefined;
  readonly metadata?: Record<string, string>;
}

export interface ListPage {
  readonly items: readonly ObjectInfo[];
  /** Pass back as `pageToken` for the next page; undefined on the last. */
  readonly nextPageToken: string | undefined;
}

export interface ListOptions {
  /** Narrow to `tenants/<tenant>/<parts...>/`. */
  readonly under?: readonly string[];
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface PutResult {
  readonly key: TenantKey;
  readonly etag: string | undefined;
  /** The bucket the object went to: the fleet's, or the tenant's own (`storage.bucket`). */
  readonly bucket: string;
}

/**
 * The S3 port: every method is scoped to one tenant. A tenant's objects live in its placement's
 * bucket (the fleet bucket unless its tenant document names its own) and every write is encrypted
 * (SSE-KMS with the tenant's key when it has one, else the bucket's default encryption).
 */
export interface BlobStore {
  /** The fleet bucket. */
  readonly bucket: string;
  /** Creates the fleet bucket if missing and sets its default encryption (every call). */
  ensureBucket(): Promise<{ created: boolean }>;
  put(tenant: TenantId, ref: KeyRef, body: PutBody, options?: PutOptions): Promise<PutResult>;
  putJson(tenant: TenantId, ref: KeyRef, value: unknown): Promise<PutResult>;
  getBuffer(tenant: TenantId, ref: KeyRef): Promise<Buffer>;
  getString(tenant: TenantId, ref: KeyRef): Promise<string>;
  /** Parses JSON; with a schema, validates it (zod at the edge). */
  getJson<T = unknown>(tenant: TenantId, ref: KeyRef, schema?: z.ZodType<T>): Promise<T>;
  /** Undefined when there is no such object. */
  head(tenant: TenantId, ref: KeyRef): Promise<ObjectInfo | undefined>;
  list(tenant: TenantId, options?: ListOptions): Promise<ListPage>;
  /** Every object under the tenant (or `under`), following pages. */
  listAll(tenant: TenantId, options?: Omit<ListOptions, "pageToken">): AsyncIterable<ObjectInfo>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(tenant: TenantId, ref: KeyRef): Promise<void>;
  presignGet(tenant: TenantId, ref: KeyRef, options?: { expiresInSeconds?: number }): Promise<string>;
  /**
   * A presigned PUT. The encryption headers of the tenant's placement are signed headers: the upload
   * must send exactly `uploadHeaders(placement)` (shared/aws/encryption.ts) or S3 refuses it.
   */
  presignPut(
    tenant: TenantId,
    ref: KeyRef,
    /** `contentLength`: signed into the URL, so a PUT of any other size is refused. */
    options?: { expiresInSeconds?: number; contentType?: string; contentLength?: number },
  ): Promise<string>;
  /** Where the tenant's objects live (bucket and KMS key). */
  placementOf(tenant: TenantId): Promise<ObjectPlacement>;
}

const call = <T>(context: string, fn: () => Promise<T>) => awsCall("s3", context, fn);

/**
 * An object larger than the store's read limit (`maxReadBytes`): refused before it is read (its
 * HEAD gives its size) or as soon as the bytes read pass the limit (it grew in between). Never
 * retryable. Keeps one tenant's huge object (an `inputRef` to gigabytes) from taking a worker's
 * memory, and with it every tenant's jobs on that worker (issue 9 bug 5).
 */
export class ObjectTooLargeError extends AwsAdapterError {
  constructor(
    readonly key: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      "s3",
      "TooLarge",
      `s3 object ${key} is ${size >= 0 ? `${size} bytes` : "larger than that"}, over the read limit of ${limit} bytes (SLUICE_CLAIM_CHECK_MAX_READ_BYTES)`,
    );
    this.name = "ObjectTooLargeError";
  }
}

export interface S3StoreOptions {
  /** Largest object a read (`getBuffer`, `getString`, `getJson`) takes into memory; default unlimited. */
  readonly maxReadBytes?: number;
  /**
   * Where a tenant's objects live (its tenant document's `storage.bucket` / `storage.kmsKeyId`,
   * shared/tenancy/storage-placement.ts). Default: the fleet bucket, its default encryption.
   */
  readonly placement?: (tenant: TenantId) => ObjectPlacement | Promise<ObjectPlacement>;
  /**
   * While a move carries the tenant's objects to another placement (ADR 0022, "Moving objects"), a
   * process may read an object another process wrote to the other bucket (their cached placements
   * differ for up to the cache TTL). Given the bucket a read missed in, this names the move's other
   * bucket, or undefined when no move of the tenant's objects is in flight: reads (get, head) that
   * find nothing in the placement try it once. Asked only after a miss.
   */
  readonly duringMove?: (tenant: TenantId, missedIn: string) => Promise<string | undefined>;
  /** The fleet KMS key (`SLUICE_KMS_KEY_ID`): the fleet bucket's default encryption; else SSE-S3. */
  readonly defaultKmsKeyId?: string | undefined;
  /**
   * The client presigned URLs are made with (`AwsClients.s3Presign`: no SDK checksum in the URL, so
   * a plain HTTP PUT of the file works on S3). Default: the store's client.
   */
  readonly presignClient?: S3Client;
}
const DEFAULT_EXPIRY = 900;

export function resolveKey(tenant: TenantId, ref: KeyRef): TenantKey {
  return typeof ref === "string" ? assertKeyBelongsToTenant(ref, tenant) : tenantKey(tenant, ...ref);
}

export function createS3Store(client: S3Client, bucket: string, options: S3StoreOptions = {}): BlobStore {
  const limit = options.maxReadBytes ?? Infinity;
  const presigner = options.presignClient ?? client;
  const fleet: ObjectPlacement = { bucket };
  const placementOf = async (tenant: TenantId): Promise<ObjectPlacement> =>
    options.placement ? await options.placement(tenant) : fleet;
  /** While the tenant's objects move between buckets: the move's other bucket (see S3StoreOptions). */
  const otherBucket = async (tenant: TenantId, bucket: string): Promise<string | undefined> =>
    options.duringMove === undefined ? undefined : await options.duringMove(tenant, bucket);

  async function getBytes(tenant: TenantId, ref: KeyRef): Promise<Buffer> {
    const key = resolveKey(tenant, ref);
    const { bucket } = await placementOf(tenant);
    if (Number.isFinite(limit)) {
      const info = await store.head(tenant, key);
      if (info && info.size > limit) throw new ObjectTooLargeError(key, info.size, limit);
    }
    try {
      return await readFrom(bucket, key);
    } catch (err) {
      if (!isAwsError(err, "NotFound")) throw err;
      const other = await otherBucket(tenant, bucket);
      if (other === undefined) throw err;
      return readFrom(other, key);
    }
  }

  function readFrom(bucket: string, key: TenantKey): Promise<Buffer> {
    return call(`get ${key}`, async () => {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!res.Body) return Buffer.alloc(0);
      if (!Number.isFinite(limit)) return Buffer.from(await res.Body.transformToByteArray());
      // Enforced while reading too: the object may have been replaced since the HEAD.
      const chunks: Uint8Array[] = [];
      let read = 0;
      const body = res.Body as AsyncIterable<Uint8Array> & { destroy?: () => void };
      for await (const chunk of body) {
        read += chunk.byteLength;
        if (read > limit) {
          body.destroy?.();
          throw new ObjectTooLargeError(key, -1, limit);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    });
  }

  async function createBucket(): Promise<boolean> {
    try {
      await call(`head bucket ${bucket}`, () => client.send(new HeadBucketCommand({ Bucket: bucket })));
      return false;
    } catch (err) {
      if (!isAwsError(err, "NotFound")) throw err;
    }
    try {
      await call(`create bucket ${bucket}`, () => client.send(new CreateBucketCommand({ Bucket: bucket })));
      return true;
    } catch (err) {
      if (isAwsError(err, "AlreadyExists")) return false; // a concurrent provisioner won
      throw err;
    }
  }

  const store: BlobStore = {
    bucket,
    placementOf,

    async ensureBucket() {
      const created = await createBucket();
      await call(`set default encryption of ${bucket}`, () =>
        client.send(
          new PutBucketEncryptionCommand({
            Bucket: bucket,
            ServerSideEncryptionConfiguration: bucketEncryption(options.defaultKmsKeyId),
          }),
        ),
      );
      return { created };
    },

    async put(tenant, ref, body, putOptions = {}) {
      const key = resolveKey(tenant, ref);
      const where = await placementOf(tenant);
      const res = await call(`put ${key}`, () =>
        client.send(
          new PutObjectCommand({
            Bucket: where.bucket,
            Key: key,
            Body: body,
            ContentType: putOptions.contentType,
            Metadata: putOptions.metadata,
            ...putEncryption(where),
          }),
        ),
      );
      return { key, etag: res.ETag, bucket: where.bucket };
    },

    putJson(tenant, ref, value) {
      return store.put(tenant, ref, JSON.stringify(value), { contentType: "application/json" });
    },

    getBuffer: getBytes,

    async getString(tenant, ref) {
      return (await getBytes(tenant, ref)).toString("utf8");
    },

    async getJson<T>(tenant: TenantId, ref: KeyRef, schema?: z.ZodType<T>): Promise<T> {
      const key = resolveKey(tenant, ref);
      const text = (await getBytes(tenant, key)).toString("utf8");
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new AwsAdapterError("s3", "InvalidInput", `s3 get ${key}: not valid JSON`, { cause: err });
      }
      if (!schema) return value as T;
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        throw new AwsAdapterError("s3", "InvalidInput", `s3 get ${key}: ${parsed.error.message}`, {
          cause: parsed.error,
        });
      }
      return parsed.data;
    },

    async head(tenant, ref) {
      const key = resolveKey(tenant, ref);
      const { bucket } = await placementOf(tenant);
      const headIn = (b: string) =>
        call(`head ${key}`, () => client.send(new HeadObjectCommand({ Bucket: b, Key: key })));
      try {
        const res = await headIn(bucket).catch(async (err: unknown) => {
          const other = isAwsError(err, "NotFound") ? await otherBucket(tenant, bucket) : undefined;
          if (other === undefined) throw err;
          return headIn(other);
        });
        return {
          key,
          size: res.ContentLength ?? 0,
          etag: res.ETag,
          lastModified: res.LastModified,
          contentType: res.ContentType,
          metadata: res.Metadata ?? {},
        };
      } catch (err) {
        if (isAwsError(err, "NotFound")) return undefined;
        throw err;
      }
    },

    async list(tenant, listOptions = {}) {
      const prefix = tenantPrefix(tenant, ...(listOptions.under ?? []));
      const { bucket } = await placementOf(tenant);
      const res = await call(`list ${prefix}`, () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            MaxKeys: listOptions.pageSize,
            ContinuationToken: listOptions.pageToken,
          }),
        ),
      );
      // Only well-formed keys of this tenant come back (a malformed stray key is skipped, not trusted).
      const items = (res.Contents ?? []).flatMap((o): ObjectInfo[] =>
        o.Key && isTenantKey(o.Key, tenant)
          ? [
              {
                key: o.Key,
                size: o.Size ?? 0,
                etag: o.ETag,
                lastModified: o.LastModified,
              },
            ]
          : [],
      );
      return { items, nextPageToken: res.IsTruncated ? res.NextContinuationToken : undefined };
    },

    async *listAll(tenant, listOptions = {}) {
      let pageToken: string | undefined;
      do {
        const page = await store.list(tenant, { ...listOptions, ...(pageToken ? { pageToken } : {}) });
        yield* page.items;
        pageToken = page.nextPageToken;
      } while (pageToken);
    },

    async delete(tenant, ref) {
      const key = resolveKey(tenant, ref);
      const { bucket } = await placementOf(tenant);
      await call(`delete ${key}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async presignGet(tenant, ref, presignOptions = {}) {
      const key = resolveKey(tenant, ref);
      const { bucket } = await placementOf(tenant);
      return call(`presign get ${key}`, () =>
        getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: presignOptions.expiresInSeconds ?? DEFAULT_EXPIRY,
        }),
      );
    },

    async presignPut(tenant, ref, presignOptions = {}) {
      const key = resolveKey(tenant, ref);
      const where = await placementOf(tenant);
      return call(`presign put ${key}`, () =>
        getSignedUrl(
          presigner,
          new PutObjectCommand({
            Bucket: where.bucket,
            Key: key,
            ContentType: presignOptions.contentType,
            ContentLength: presignOptions.contentLength,
            ...putEncryption(where),
          }),
          {
            expiresIn: presignOptions.expiresInSeconds ?? DEFAULT_EXPIRY,
            // Signed headers, not query parameters: the uploader cannot leave them out or change them.
            unhoistableHeaders: new Set(SIGNED_ENCRYPTION_HEADERS),
            ...(presignOptions.contentLength !== undefined
              ? { signableHeaders: new Set(["content-length"]) }
              : {}),
          },
        ),
      );
    },
  };
  return store;
}
