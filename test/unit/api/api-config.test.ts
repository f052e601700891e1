import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../shared/config/config-error.ts";
import { loadConfig } from "../../../shared/config/config.ts";

const base = { MONGO_URL: "mongodb://127.0.0.1:27017" };

describe("API settings", () => {
  it("defaults: Cognito-shaped tokens, RS256/ES256, the JWKS under the issuer", () => {
    const c = loadConfig({
      ...base,
      SLUICE_API_JWT_ISSUER: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/",
      SLUICE_API_JWT_AUDIENCE: "client-a, client-b",
    });
    expect(c.api.auth).toMatchObject({
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/",
      jwksUrl: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
      audiences: ["client-a", "client-b"],
      tokenUse: "access",
      tenantClaim: "custom:tenant_id",
      algorithms: ["RS256", "ES256"],
    });
    expect(c.api.bodyLimitBytes).toBeGreaterThan(200 * 1024);
    expect(c.api.defaultRate).toEqual({ perSecond: 20, burst: 40 });
  });

  it("the other services start without the API's issuer; bad values are refused", () => {
    expect(loadConfig(base).api.auth.issuer).toBeUndefined();
    expect(() => loadConfig({ ...base, SLUICE_API_JWT_ALGORITHMS: "HS256" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SLUICE_API_JWT_ALGORITHMS: "none" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SLUICE_API_TOKEN_USE: "refresh" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, SLUICE_API_DEFAULT_RATE_PER_SECOND: "0" })).toThrow(ConfigError);
    expect(loadConfig({ ...base, SLUICE_API_DEFAULT_RATE_PER_SECOND: "0.5" }).api.defaultRate.perSecond).toBe(
      0.5,
    );
  });
});
