import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  assertKeyBelongsToTenant,
  isTenantKey,
  jobKey,
  jobPrefix,
  tenantKey,
  TenantKeyError,
  tenantPrefix,
  uploadKey,
} from "../../../shared/tenancy/keys.ts";
import { tenantId, type TenantId } from "../../../shared/tenancy/tenant-id.ts";

const acme = tenantId("acme");

describe("tenant key builder", () => {
  it("builds keys under tenants/<tenant>/", () => {
    expect(tenantKey(acme, "a", "b.json")).toBe("tenants/acme/a/b.json");
    expect(jobKey(acme, "job-1", "input.json")).toBe("tenants/acme/jobs/job-1/input.json");
    expect(jobKey(acme, "job-1", "steps", "greet.json")).toBe("tenants/acme/jobs/job-1/steps/greet.json");
    expect(tenantPrefix(acme)).toBe("tenants/acme/");
    expect(jobPrefix(acme, "job-1")).toBe("tenants/acme/jobs/job-1/");
    expect(uploadKey(acme, "run-1", "doc-7.pdf")).toBe("tenants/acme/uploads/run-1/doc-7.pdf");
    expect(() => uploadKey(acme, "../x")).toThrow(TenantKeyError);
  });

  it.each([[""], ["a/b"], [".."], ["."], ["bad\nline"], ["nul\u0000"], ["del\u007f"]])(
    "rejects the part %j",
    (part) => {
      expect(() => tenantKey(acme, part)).toThrow(TenantKeyError);
    },
  );

  it("rejects a forged tenant id and over-long keys", () => {
    expect(() => tenantKey("../x" as TenantId, "a")).toThrow(TenantKeyError);
    expect(() => tenantKey(acme, "x".repeat(1100))).toThrow(/1024 bytes/);
  });

  it("assertKeyBelongsToTenant accepts only the tenant's well-formed keys", () => {
    expect(assertKeyBelongsToTenant("tenants/acme/jobs/j/x", acme)).toBe("tenants/acme/jobs/j/x");
    for (const bad of [
      "tenants/globex/x",
      "tenants/acmecorp/x",
      "tenants/acme",
      "tenants/acme/",
      "tenants/acme/../globex/x",
      "tenants/acme//x",
      "/tenants/acme/x",
      "x/tenants/acme/x",
    ]) {
      expect(() => assertKeyBelongsToTenant(bad, acme), bad).toThrow(TenantKeyError);
      expect(isTenantKey(bad, acme)).toBe(false);
    }
  });

  it("property: every built key round-trips through assertKeyBelongsToTenant and never escapes", () => {
    const part = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => {
      try {
        tenantKey(acme, s);
        return true;
      } catch {
        return false;
      }
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const key = tenantKey(acme, ...(parts as [string, ...string[]]));
        expect(key.startsWith("tenants/acme/")).toBe(true);
        expect(assertKeyBelongsToTenant(key, acme)).toBe(key);
        expect(key.split("/").slice(2)).toEqual(parts);
        expect(isTenantKey(key, tenantId("globex"))).toBe(false);
      }),
    );
  });
});
