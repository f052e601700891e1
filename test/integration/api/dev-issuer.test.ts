/**
 * The demo's token issuer as the demo runs it (a process, `infra/auth/dev-issuer-main.ts`): its
 * `POST /token` answers tokens the API's own verifier accepts over the issuer's JWKS, with the
 * claims asked for; a body that is not a JSON object is refused; a bad flag exits 2.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../../api/auth/token-verifier.ts";
import { TestProcesses, until, type StartedProcess } from "../../support/processes.ts";
import { testConfig } from "../helpers/env.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const ENTRY = join(ROOT, "infra", "auth", "dev-issuer-main.ts");

interface Started {
  issuer: string;
  jwksUrl: string;
  tokenUrl: string;
  audience: string;
}

describe("the demo's token issuer process", () => {
  const processes = new TestProcesses();
  let issuer: StartedProcess;
  let info: Started;
  const start = (...args: string[]) =>
    processes.start(process.execPath, ["--import", "tsx", ENTRY, ...args], { cwd: ROOT, env: process.env });

  beforeAll(async () => {
    issuer = start("--port", "0");
    await until(() => issuer.stdout().includes("\n"), 15_000, "the issuer's first line");
    info = JSON.parse(issuer.stdout().split("\n")[0] ?? "") as Started;
  });
  afterAll(async () => {
    issuer.child.kill("SIGTERM");
    expect(await issuer.exited).toBe(0);
    processes.killAll();
  });

  it("signs tokens with the claims asked for that the API's verifier accepts", async () => {
    expect(info.audience).toBe("sluice-demo");
    const res = await fetch(info.tokenUrl, {
      method: "POST",
      body: JSON.stringify({ "custom:tenant_id": "acme", scope: "sluice/read sluice/submit", sub: "ada" }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(3600);
    const config = testConfig({
      SLUICE_API_JWT_ISSUER: info.issuer,
      SLUICE_API_JWKS_URL: info.jwksUrl,
      SLUICE_API_JWT_AUDIENCE: info.audience,
    });
    const principal = await createTokenVerifier(config.api.auth).verify(body.access_token);
    expect(principal.tenantId).toBe("acme");
    expect(principal.subject).toBe("ada");
    expect([...principal.scopes].sort()).toEqual(["sluice/read", "sluice/submit"]);
    // Another audience's API refuses it.
    const other = testConfig({
      SLUICE_API_JWT_ISSUER: info.issuer,
      SLUICE_API_JWKS_URL: info.jwksUrl,
      SLUICE_API_JWT_AUDIENCE: "someone-else",
    });
    await expect(createTokenVerifier(other.api.auth).verify(body.access_token)).rejects.toThrow();
  });

  it("refuses a body that is not a JSON object of claims", async () => {
    for (const bad of ["[1,2]", "not json", '"x"']) {
      const res = await fetch(info.tokenUrl, { method: "POST", body: bad });
      expect(res.status, bad).toBe(400);
    }
  });

  it("exits 2 on an unknown flag", async () => {
    const code = await start("--nope").exited;
    expect(code).toBe(2);
  });
});
