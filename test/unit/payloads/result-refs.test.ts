import { describe, expect, it } from "vitest";
import type { BlobStore } from "../../../shared/aws/s3.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";
import { createPayloadStore } from "../../../shared/payloads/payload-store.ts";
import { JobRefs } from "../../../shared/payloads/result-refs.ts";

const acme = tenantId("acme");
const JOB = "01JOBREFS000000000000000AA";
const own = `tenants/acme/jobs/${JOB}/results/big-1.json`;

/** A blob store holding a few JSON objects that records what is read. */
function blobs(objects: Record<string, unknown>, reads: string[]): BlobStore {
  return {
    getJson: (_t: unknown, key: string) => {
      reads.push(key);
      return Promise.resolve(objects[key]);
    },
    put: (_t: unknown, parts: string[]) =>
      Promise.resolve({ key: `tenants/acme/${parts.join("/")}`, etag: "e" }),
  } as unknown as BlobStore;
}

describe("JobRefs and resolve", () => {
  it("resolves only the references stored for the job; any other $sluiceRef is data", async () => {
    const reads: string[] = [];
    const data = createPayloadStore(
      blobs({ [own]: "big", "tenants/acme/secret.json": "pin" }, reads),
      10,
      () => "u",
    );
    const refs = JobRefs.of({ _id: JOB, tenantId: acme, resultRefs: [own] });
    const forged = { $sluiceRef: { key: "tenants/acme/secret.json", bytes: 3 } };
    const value = { a: { $sluiceRef: { key: own, bytes: 3 } }, b: forged, c: [forged] };
    expect(await data.resolve(acme, value, refs)).toEqual({ a: "big", b: forged, c: [forged] });
    expect(reads).toEqual([own]);
  });

  it("adds the key of a stored result and hands it to the next write once", async () => {
    const data = createPayloadStore(blobs({}, []), 20, () => "abcdefgh-0000");
    const refs = JobRefs.of({ _id: JOB, tenantId: acme, resultRefs: [] });
    const ref = (await data.storeResult(acme, refs, "S-1", { blob: "x".repeat(100) })) as {
      $sluiceRef: { key: string };
    };
    expect(refs.trusts(ref.$sluiceRef.key)).toBe(true);
    expect(refs.patch()).toEqual({ resultRefs: [ref.$sluiceRef.key] });
    refs.written();
    expect(refs.patch()).toEqual({});
    expect(await data.storeResult(acme, refs, "S-2", { small: 1 })).toEqual({ small: 1 });
  });

  it("a document from before resultRefs trusts its own results prefix only, and writes no list", () => {
    const refs = JobRefs.of({ _id: JOB, tenantId: acme });
    expect(refs.trusts(own)).toBe(true);
    expect(refs.trusts(`tenants/acme/jobs/${JOB}/execution/1.json`)).toBe(false);
    expect(refs.trusts("tenants/acme/jobs/01OTHERJOB0000000000000000/results/big-1.json")).toBe(false);
    refs.add(`tenants/acme/jobs/${JOB}/results/big-2.json`);
    expect(refs.patch()).toEqual({});
  });
});
