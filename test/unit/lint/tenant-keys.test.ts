/**
 * Steps and services never build S3 clients or keys (issue 12): outside the blob store and the named
 * modules (infra/lint/tenant-keys.js), production code that constructs an S3Client, imports the S3
 * client or presigner packages, or calls a tenant key builder fails the lint — proven on a
 * deliberate-violation fixture linted as a file of each production folder, one line per case.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const fixture = readFileSync(resolve(import.meta.dirname, "fixtures/tenant-keys.ts.txt"), "utf8");
const eslint = new ESLint({ cwd: ROOT });

interface Found {
  line: number;
  message: string;
}

async function findings(filePath: string): Promise<Found[]> {
  const [result] = await eslint.lintText(fixture, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "sluice/tenant-keys")
    .map((m) => ({ line: m.line, message: m.message }));
}

async function allowList(): Promise<Record<string, string>> {
  const mod = (await import(resolve(ROOT, "infra/lint/tenant-keys.js"))) as {
    TENANT_KEY_MODULES: Record<string, string>;
  };
  return mod.TENANT_KEY_MODULES;
}

describe("tenant keys lint rule (sluice/tenant-keys)", () => {
  it("refuses each case in every production folder; type imports, blob store calls and key checks pass", async () => {
    for (const dir of ["api", "cli", "scheduler", "shared", "workers"]) {
      const found = await findings(`${dir}/steps/fixture.ts`);
      const at = (line: number) => found.filter((f) => f.line === line).map((f) => f.message);
      // Imports of the S3 client and presigner packages (line 3 is type-only: allowed).
      expect(at(1)).toEqual([expect.stringContaining("may not import @aws-sdk/client-s3")]);
      expect(at(2)).toEqual([expect.stringContaining("may not import @aws-sdk/s3-request-presigner")]);
      // new S3Client(...)
      expect(at(7)).toEqual([expect.stringContaining("may not construct an S3 client")]);
      // Each key builder, called plainly and through a namespace.
      const builders = [
        "tenantKey",
        "jobKey",
        "uploadKey",
        "tenantPrefix",
        "jobPrefix",
        "rejectedMessageKey",
      ];
      builders.forEach((name, i) =>
        expect(at(8 + i)).toEqual([expect.stringContaining(`build an S3 key with ${name}()`)]),
      );
      expect(at(14)).toEqual([expect.stringContaining("build an S3 key with tenantKey()")]);
      // A dynamic import of the client package.
      expect(at(15)).toEqual([expect.stringContaining("may not import @aws-sdk/client-s3")]);
      expect(found.map((f) => f.line)).toEqual([1, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    }
  });

  it("allows the blob store and the named modules, and does not check tests or tools", async () => {
    expect(await findings("shared/aws/s3.ts")).toEqual([]);
    expect(await findings("shared/tenancy/keys.ts")).toEqual([]);
    expect(await findings("workers/sdk/tenant-blobs.ts")).toEqual([]);
    expect(await findings("test/fixture.ts")).toEqual([]);
    expect(await findings("bench/fixture.ts")).toEqual([]);
  });

  it("names a reason for every allowed module, and every allowed module exists", async () => {
    for (const [file, why] of Object.entries(await allowList())) {
      expect(why.length, file).toBeGreaterThan(10);
      expect(() => readFileSync(resolve(ROOT, file)), file).not.toThrow();
    }
  });
});
