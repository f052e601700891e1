import { SDK_ERRORS, StepError } from "../../workers/sdk/step-error.ts";
import type { BlobInfo, KeyParts, TenantBlobs } from "../../workers/sdk/tenant-blobs.ts";

/**
 * An in-memory `ctx.blobs` for unit tests of steps: one tenant, one job; keys must start with the
 * tenant's prefix (else `Sluice.ForbiddenKey`), reads honour `maxBytes` (`Sluice.PayloadTooLarge`),
 * writes land under `tenants/<t>/jobs/<job>/`. The real one (workers/sdk/tenant-blobs.ts) is tested on
 * the stack.
 */
export class MemoryBlobs implements TenantBlobs {
  readonly objects = new Map<string, { body: Uint8Array; contentType?: string }>();

  constructor(
    readonly tenant: string,
    readonly jobId: string,
  ) {}

  #own(key: string): void {
    if (!key.startsWith(`tenants/${this.tenant}/`) || key.includes(".."))
      throw new StepError(SDK_ERRORS.forbiddenKey, `key ${key} does not belong to tenant ${this.tenant}`);
  }

  /** Stores an object as if uploaded: `tenants/<t>/uploads/<name>`. */
  upload(name: string, body: Uint8Array): string {
    const key = `tenants/${this.tenant}/uploads/${name}`;
    this.objects.set(key, { body });
    return key;
  }

  async get(key: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#own(key);
    const o = this.objects.get(key);
    if (!o) throw new StepError(SDK_ERRORS.blobNotFound, `no object ${key}`);
    if (options.maxBytes !== undefined && o.body.byteLength > options.maxBytes)
      throw new StepError(
        SDK_ERRORS.payloadTooLarge,
        `${key} is ${o.body.byteLength} bytes, over ${options.maxBytes}`,
      );
    return new Uint8Array(o.body);
  }
  async getText(key: string, options?: { maxBytes?: number }): Promise<string> {
    return Buffer.from(await this.get(key, options)).toString("utf8");
  }
  async getJson(key: string, options?: { maxBytes?: number }): Promise<unknown> {
    return JSON.parse(await this.getText(key, options)) as unknown;
  }
  async head(key: string): Promise<BlobInfo | undefined> {
    this.#own(key);
    const o = this.objects.get(key);
    return o
      ? { key, bytes: o.body.byteLength, ...(o.contentType ? { contentType: o.contentType } : {}) }
      : undefined;
  }
  keyFor(parts: KeyParts): string {
    const list = typeof parts === "string" ? parts.split("/") : [...parts];
    return `tenants/${this.tenant}/jobs/${this.jobId}/${list.join("/")}`;
  }
  async put(parts: KeyParts, body: Uint8Array | string, options: { contentType?: string } = {}) {
    const key = this.keyFor(parts);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body);
    this.objects.set(key, {
      body: bytes,
      ...(options.contentType ? { contentType: options.contentType } : {}),
    });
    return { key, bytes: bytes.byteLength };
  }
  async list(): Promise<BlobInfo[]> {
    const prefix = `tenants/${this.tenant}/jobs/${this.jobId}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([key, o]) => ({ key, bytes: o.body.byteLength }));
  }
  async presignGet(key: string): Promise<string> {
    return `memory://${key}`;
  }
}
