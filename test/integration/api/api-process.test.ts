/**
 * The API as a process (`api/main.ts`) on the real stack: it starts on the fleet's namespace, fetches
 * the issuer's keys, answers /healthz and /readyz, authenticates a real token, refuses to start
 * without its issuer settings (exit 2), and stops gracefully on SIGTERM (exit 0). Also: the JWKS
 * refetch for an unknown kid is rate-limited by the cooldown.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RouteModule } from "../../../api/http/route.ts";
import { startJwtIssuer, type JwtIssuer } from "../../support/jwt-issuer.ts";
import { createTestFleet, type TestFleet } from "../helpers/fleet.ts";
import { sleep } from "../helpers/env.ts";
import { apiEnv, startTestApi } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

function startApiProcess(env: Record<string, string>): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "api/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, lines, exited };
}

/** Waits for the "api listening" log line and returns the address it names. */
async function listeningAddress(lines: string[], exited: Promise<number | null>): Promise<string> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 600 && !gone; i++) {
    for (const line of lines) {
      if (!line.includes("api listening")) continue;
      const parsed = JSON.parse(line) as { address: string };
      return parsed.address;
    }
    await sleep(100);
  }
  throw new Error(`the API did not start:\n${lines.join("\n")}`);
}

describe("the API process", () => {
  let fleet: TestFleet;
  let issuer: JwtIssuer;

  beforeAll(async () => {
    fleet = await createTestFleet("api-proc", { tenants: ["acme"] });
    issuer = await startJwtIssuer();
  });
  afterAll(async () => {
    await issuer?.close();
    await fleet?.cleanup();
  });

  it("serves health, readiness and authenticated requests, and exits 0 on SIGTERM", async () => {
    const proc = startApiProcess({
      ...fleet.env,
      ...apiEnv(issuer),
      SLUICE_API_PORT: "0",
      LOG_LEVEL: "info",
      LOG_PRETTY: "never",
    });
    try {
      const url = await listeningAddress(proc.lines, proc.exited);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      let ready = await fetch(`${url}/readyz`);
      for (let i = 0; i < 100 && ready.status !== 200; i++) {
        await sleep(100);
        ready = await fetch(`${url}/readyz`);
      }
      expect(await ready.json()).toEqual({ status: "ready", checks: { mongo: "ok", sqs: "ok", jwks: "ok" } });
      const token = await issuer.sign({ "custom:tenant_id": "acme", scope: "sluice/read" });
      const missing = await fetch(`${url}/v1/no-such-route`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
      expect(doc.openapi).toBe("3.1.0");
    } finally {
      proc.child.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    expect(proc.lines.some((l) => l.includes("shutting down gracefully"))).toBe(true);
  });

  it("refuses to start without its issuer and audience (exit 2, naming both settings)", async () => {
    const proc = startApiProcess({ ...fleet.env, SLUICE_API_JWT_ISSUER: "", SLUICE_API_JWT_AUDIENCE: "" });
    expect(await proc.exited).toBe(2);
    const out = proc.lines.join("\n");
    expect(out).toContain("SLUICE_API_JWT_ISSUER");
    expect(out).toContain("SLUICE_API_JWT_AUDIENCE");
  });

  it("fetches the JWKS again for an unknown kid at most once per cooldown", async () => {
    const read: RouteModule = (routes) =>
      routes.add({
        method: "GET",
        path: "/v1/whoami",
        operationId: "whoami",
        summary: "test probe",
        scope: "sluice/read",
        response: { status: 200, description: "the tenant", schema: z.object({ tenantId: z.string() }) },
        handler: async ({ principal }) => ({ body: { tenantId: principal.tenantId } }),
      });
    const api = await startTestApi(fleet, issuer, {
      env: { SLUICE_API_JWKS_COOLDOWN_MS: "600000" },
      routes: [read],
    });
    try {
      const claims = { "custom:tenant_id": "acme", scope: "sluice/read" };
      const ok = await api.call("GET", "/v1/whoami", { token: await issuer.sign(claims) });
      expect(ok.status, ok.text).toBe(200);
      const fetched = issuer.fetches;
      const kid = await issuer.rotate("ES256");
      for (let i = 0; i < 5; i++) {
        const res = await api.call("GET", "/v1/whoami", { token: await issuer.sign(claims, { kid }) });
        expect(res.status).toBe(401);
        expect((res.json as { error: { details: { reason: string } } }).error.details.reason).toBe(
          "unknown_key",
        );
      }
      expect(issuer.fetches).toBe(fetched);
    } finally {
      await api.close();
    }
  });
});
