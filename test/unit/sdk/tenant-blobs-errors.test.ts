import { describe, expect, it } from "vitest";
import { AwsAdapterError } from "../../../shared/aws/errors.ts";
import type { BlobStore } from "../../../shared/aws/s3.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { StepError } from "../../../workers/sdk/index.ts";
import { createTenantBlobs } from "../../../workers/sdk/tenant-blobs.ts";

/** A store whose every call fails with `err`. */
function failingStore(err: unknown): BlobStore {
  return new Proxy({ bucket: "b" } as BlobStore, {
    get: (target, prop) => (prop === "bucket" ? target.bucket : () => Promise.reject(err)),
  });
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("tenant blobs: store errors as task errors", () => {
  const key = "tenants/acme/uploads/a.pdf";

  it("a throttled or unavailable S3 is Sluice.Transient (workflows retry it), a missing object is not", async () => {
    for (const code of ["Throttled", "Unavailable"] as const) {
      const blobs = createTenantBlobs(
        failingStore(new AwsAdapterError("s3", code, "slow down")),
        tenantId("acme"),
        "j1",
      );
      const err = await errorOf(blobs.get(key));
      expect(err).toBeInstanceOf(StepError);
      expect((err as StepError).error).toBe("Sluice.Transient");
      expect((err as StepError).causeText).toContain(code);
      expect(((await errorOf(blobs.put(["x.json"], "{}"))) as StepError).error).toBe("Sluice.Transient");
    }
    const missing = createTenantBlobs(
      failingStore(new AwsAdapterError("s3", "NotFound", "no such key")),
      tenantId("acme"),
      "j1",
    );
    expect(((await errorOf(missing.get(key))) as StepError).error).toBe("Sluice.BlobNotFound");
    const denied = createTenantBlobs(
      failingStore(new AwsAdapterError("s3", "AccessDenied", "no")),
      tenantId("acme"),
      "j1",
    );
    expect(await errorOf(denied.get(key))).toBeInstanceOf(AwsAdapterError);
  });
});
