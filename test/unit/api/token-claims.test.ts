/**
 * The claims the API checks beyond jose (Cognito's `token_use`, `client_id` as audience, the tenant
 * claim) and how jose's refusals map to error codes. Signatures are tested with real tokens in
 * test/integration/api/api-edge.test.ts.
 */
import { errors } from "jose";
import { describe, expect, it } from "vitest";
import { mapJoseError, principalOf } from "../../../api/auth/token-verifier.ts";
import { ApiError } from "../../../api/errors.ts";

const settings = { tokenUse: "access" as const, tenantClaim: "custom:tenant_id" };
const audiences = new Set(["client-a"]);
const base = {
  sub: "u1",
  token_use: "access",
  client_id: "client-a",
  "custom:tenant_id": "acme",
  scope: "sluice/read sluice/submit",
};

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return `${err.code}:${String(err.details?.["reason"] ?? "")}`;
    throw err;
  }
  return undefined;
}

describe("token claims", () => {
  it("builds the principal from the tenant claim, the subject and the scopes", () => {
    const p = principalOf(base, settings, audiences);
    expect(p.tenantId).toBe("acme");
    expect(p.subject).toBe("u1");
    expect([...p.scopes].sort()).toEqual(["sluice/read", "sluice/submit"]);
  });

  it("checks token_use unless configured as any", () => {
    expect(reason(() => principalOf({ ...base, token_use: "id" }, settings, audiences))).toBe(
      "invalid_token:token_use",
    );
    expect(
      principalOf({ ...base, token_use: undefined }, { ...settings, tokenUse: "any" }, audiences).tenantId,
    ).toBe("acme");
    expect(
      principalOf({ ...base, token_use: "id" }, { ...settings, tokenUse: "id" }, audiences).tenantId,
    ).toBe("acme");
  });

  it("accepts the audience in aud (string or array) or in client_id", () => {
    expect(principalOf({ ...base, client_id: undefined, aud: "client-a" }, settings, audiences).subject).toBe(
      "u1",
    );
    expect(
      principalOf({ ...base, client_id: "x", aud: ["y", "client-a"] }, settings, audiences).subject,
    ).toBe("u1");
    expect(reason(() => principalOf({ ...base, client_id: "x" }, settings, audiences))).toBe(
      "invalid_token:audience",
    );
  });

  it("refuses a missing subject and a missing or invalid tenant claim", () => {
    expect(reason(() => principalOf({ ...base, sub: undefined }, settings, audiences))).toBe(
      "invalid_token:subject",
    );
    for (const t of [undefined, "", "ACME", "acme-dlq", 7, ["acme"]]) {
      expect(reason(() => principalOf({ ...base, "custom:tenant_id": t }, settings, audiences))).toBe(
        "invalid_token:tenant_claim",
      );
    }
    expect(
      principalOf({ ...base, tenant: "globex" }, { ...settings, tenantClaim: "tenant" }, audiences).tenantId,
    ).toBe("globex");
  });

  it("maps jose's refusals to codes and reasons; other errors are not the caller's", () => {
    const code = (e: unknown) => {
      const m = mapJoseError(e);
      return m === undefined ? undefined : `${m.status} ${m.code}:${String(m.details?.["reason"] ?? "")}`;
    };
    expect(code(new errors.JWTExpired("x", {}))).toBe("401 token_expired:");
    expect(code(new errors.JWTClaimValidationFailed("x", {}, "nbf"))).toBe("401 invalid_token:not_yet_valid");
    expect(code(new errors.JWTClaimValidationFailed("x", {}, "iss"))).toBe("401 invalid_token:issuer");
    expect(code(new errors.JOSEAlgNotAllowed("x"))).toBe("401 invalid_token:algorithm");
    expect(code(new errors.JWSSignatureVerificationFailed())).toBe("401 invalid_token:signature");
    expect(code(new errors.JWKSNoMatchingKey())).toBe("401 invalid_token:unknown_key");
    expect(code(new errors.JWSInvalid("x"))).toBe("401 invalid_token:malformed");
    expect(code(new errors.JWKSTimeout())).toBe("503 unavailable:");
    expect(code(new TypeError("fetch failed"))).toBe("503 unavailable:");
    expect(code(new RangeError("ours"))).toBeUndefined();
  });
});
