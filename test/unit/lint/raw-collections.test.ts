/**
 * Isolation is enforced by the build: outside the scoped data layer and the named fleet modules
 * (infra/lint/raw-collections.js), production code that calls `.collection()` or `.db()` fails the
 * lint — proven on a deliberate-violation fixture linted as a file of each production folder.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const fixture = readFileSync(resolve(import.meta.dirname, "fixtures/raw-collection.ts.txt"), "utf8");
const eslint = new ESLint({ cwd: ROOT });
/** The allow-list, read from the rule's module (plain JavaScript, no type declarations). */
async function allowList(): Promise<Record<string, string>> {
  const mod = (await import(resolve(ROOT, "infra/lint/raw-collections.js"))) as {
    RAW_COLLECTION_MODULES: Record<string, string>;
  };
  return mod.RAW_COLLECTION_MODULES;
}

async function rawLines(filePath: string): Promise<number[]> {
  const [result] = await eslint.lintText(fixture, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "sluice/raw-collections").map((m) => m.line);
}

describe("raw collections lint rule", () => {
  it("refuses .collection() and .db() in every production folder (the scoped store call passes)", async () => {
    for (const dir of ["api", "cli", "scheduler", "shared", "workers"]) {
      expect(await rawLines(`${dir}/handlers/fixture.ts`)).toEqual([4, 5]);
    }
  });

  it("allows the named fleet modules and the scoped layer, and does not check tests or tools", async () => {
    expect(await rawLines("shared/fleet/tenants-collection.ts")).toEqual([]);
    expect(await rawLines("shared/tenancy/scoped-collection.ts")).toEqual([]);
    expect(await rawLines("test/fixture.ts")).toEqual([]);
    expect(await rawLines("bench/fixture.ts")).toEqual([]);
  });

  it("names a reason for every allowed module, and every allowed module exists", async () => {
    for (const [file, why] of Object.entries(await allowList())) {
      expect(why.length, file).toBeGreaterThan(10);
      expect(() => readFileSync(resolve(ROOT, file)), file).not.toThrow();
    }
  });
});
