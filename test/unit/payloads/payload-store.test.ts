/**
 * The one payload store: one size limit for every kind of payload (document payloads, execution
 * states, step results), one reference type, and reads of what it stored.
 */
import { describe, expect, it } from "vitest";
import type { ExecutionState } from "../../../shared/asl/index.ts";
import type { BlobStore } from "../../../shared/aws/s3.ts";
import { isRefMarker, REF_KEY, type RefMarker } from "../../../shared/payloads/payload-ref.ts";
import { createPayloadStore } from "../../../shared/payloads/payload-store.ts";
import { JobRefs } from "../../../shared/payloads/result-refs.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");
const JOB = "01PAYLOADS0000000000000AAA";

/** An in-memory blob store (keys as the tenant key builder makes them). */
function memoryBlobs() {
  const objects = new Map<string, string>();
  const blobs = {
    put: (_t: unknown, parts: string[], body: string) => {
      const key = `tenants/acme/${parts.join("/")}`;
      objects.set(key, body);
      return Promise.resolve({ key, etag: "e" });
    },
    getJson: (_t: unknown, key: string) => Promise.resolve(JSON.parse(objects.get(key) ?? "null")),
    delete: (_t: unknown, key: string) => Promise.resolve(void objects.delete(key)),
  } as unknown as BlobStore;
  return { blobs, objects };
}

const LIMIT = 40;
const small = { a: "x".repeat(10) }; // 18 bytes of JSON
const large = { a: "x".repeat(LIMIT) }; // over the limit

describe("PayloadStore", () => {
  it("keeps a document payload inline up to the limit and stores it by reference above", async () => {
    const { blobs, objects } = memoryBlobs();
    const payloads = createPayloadStore(blobs, LIMIT, () => "uuid-1");
    expect(await payloads.store(acme, JOB, "input", small)).toEqual({ inline: small });
    const stored = await payloads.store(acme, JOB, "output", large);
    const json = JSON.stringify(large);
    expect(stored).toEqual({ s3: { key: `tenants/acme/jobs/${JOB}/output.json`, bytes: json.length } });
    expect(objects.get(`tenants/acme/jobs/${JOB}/output.json`)).toBe(json);
    expect(await payloads.load(acme, stored)).toEqual(large);
    expect(await payloads.load(acme, { inline: small })).toEqual(small);
  });

  it("applies the same limit to execution states and step results, with the same reference type", async () => {
    const { blobs } = memoryBlobs();
    const payloads = createPayloadStore(blobs, LIMIT, () => "uuid-2");
    const refs = JobRefs.of({ _id: JOB, tenantId: acme, resultRefs: [] });

    expect(await payloads.executionPatch(acme, JOB, small as unknown as ExecutionState)).toEqual({
      execution: small,
      executionRef: null,
    });
    const exec = await payloads.executionPatch(acme, JOB, large as unknown as ExecutionState);
    expect(exec.execution).toBeNull();
    expect(Object.keys(exec.executionRef!).sort()).toEqual(["bytes", "key"]);
    expect(await payloads.loadExecution(acme, exec)).toEqual(large);

    expect(await payloads.storeResult(acme, refs, "Step-1", small)).toEqual(small);
    const marker = await payloads.storeResult(acme, refs, "Step-1", large);
    expect(isRefMarker(marker)).toBe(true);
    const ref = (marker as RefMarker)[REF_KEY];
    expect(Object.keys(ref).sort()).toEqual(["bytes", "key"]);
    expect(ref.bytes).toBe(JSON.stringify(large).length);
    expect(refs.patch()).toEqual({ resultRefs: [ref.key] });
    expect(await payloads.resolve(acme, { x: marker }, refs)).toEqual({ x: large });
    expect(await payloads.loadRef(acme, ref)).toEqual(large);
  });

  it("counts the limit in UTF-8 bytes", async () => {
    const { blobs } = memoryBlobs();
    const payloads = createPayloadStore(blobs, LIMIT, () => "uuid-3");
    const wide = "é".repeat(15); // 17 characters of JSON, 32 bytes: inline
    const wider = "é".repeat(20); // 22 characters, 42 bytes: stored
    expect(await payloads.store(acme, JOB, "a", wide)).toEqual({ inline: wide });
    expect(await payloads.store(acme, JOB, "b", wider)).toMatchObject({ s3: { bytes: 42 } });
  });
});
