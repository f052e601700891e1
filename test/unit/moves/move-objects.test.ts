import { describe, expect, it } from "vitest";
import { carriesEncryption, needsCopy, sameKmsKey } from "../../../scheduler/moves/move-objects.ts";
import { changesPlacement } from "../../../scheduler/quota/edit-quota.ts";
import type { HeadInfo } from "../../../shared/aws/s3-object-mover.ts";

const KEY = "arn:aws:kms:us-east-1:000000000000:key/1111aaaa-0000-0000-0000-000000000000";
const OTHER = "arn:aws:kms:us-east-1:000000000000:key/2222bbbb-0000-0000-0000-000000000000";
const head = (sse: string | undefined, kmsKeyId?: string): HeadInfo => ({
  size: 1,
  lastModified: 0,
  sse,
  kmsKeyId,
  contentType: undefined,
  metadata: {},
});

describe("object move decisions", () => {
  it("copies an object the new bucket lacks, holds at another size, or holds older", () => {
    const old = { key: "tenants/a/x", size: 5, lastModified: 100 };
    expect(needsCopy(old, undefined)).toBe(true);
    expect(needsCopy(old, { ...old, size: 4, lastModified: 200 })).toBe(true);
    expect(needsCopy(old, { ...old, lastModified: 50 })).toBe(true);
    expect(needsCopy(old, { ...old, lastModified: 100 })).toBe(false);
    expect(needsCopy(old, { ...old, lastModified: 150 })).toBe(false);
  });

  it("matches a recorded key ARN against a key id or ARN; an alias cannot be checked", () => {
    expect(sameKmsKey(KEY, KEY)).toBe(true);
    expect(sameKmsKey(KEY, "1111aaaa-0000-0000-0000-000000000000")).toBe(true);
    expect(sameKmsKey(OTHER, KEY)).toBe(false);
    expect(sameKmsKey(undefined, KEY)).toBe(false);
    expect(sameKmsKey(KEY, "alias/acme")).toBeUndefined();
  });

  it("an object carries the target encryption: the new key, or (to the bucket default) not the old key", () => {
    const fleet = { bucket: "b" };
    const own = { bucket: "b", kmsKeyId: KEY };
    expect(carriesEncryption(head("aws:kms", KEY), fleet, own)).toBe(true);
    expect(carriesEncryption(head("aws:kms", OTHER), fleet, own)).toBe(false);
    expect(carriesEncryption(head("AES256"), fleet, own)).toBe(false);
    expect(carriesEncryption(head("AES256"), own, fleet)).toBe(true);
    expect(carriesEncryption(head("aws:kms", KEY), own, fleet)).toBe(false);
    expect(carriesEncryption(head("aws:kms", OTHER), own, fleet)).toBe(true); // a fleet key default
    expect(carriesEncryption(head("aws:kms", OTHER), fleet, { bucket: "b", kmsKeyId: "alias/x" })).toBe(true);
  });

  it("an edit changes the placement when storage.bucket or storage.kmsKeyId changes", () => {
    expect(changesPlacement(null, { weight: 1 })).toBe(false);
    expect(changesPlacement({ storage: { database: "d" } }, { storage: { database: "e" } })).toBe(false);
    expect(changesPlacement({}, { storage: { bucket: "b" } })).toBe(true);
    expect(changesPlacement({ storage: { bucket: "b" } }, { storage: { bucket: "b", kmsKeyId: KEY } })).toBe(
      true,
    );
    expect(changesPlacement({ storage: { bucket: "b" } }, {})).toBe(true);
  });
});
