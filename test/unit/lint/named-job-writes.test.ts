/**
 * Every job write outside shared/jobs is a named operation of the job store: the lint fails on a
 * bare `casUpdate` call in production folders (eslint.config.js), proven on a deliberate-violation
 * fixture linted as if it were a file of each folder.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const fixture = readFileSync(resolve(import.meta.dirname, "fixtures/bare-cas.ts.txt"), "utf8");
const eslint = new ESLint({ cwd: ROOT });

async function bareCasLines(filePath: string): Promise<number[]> {
  const [result] = await eslint.lintText(fixture, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.line);
}

describe("named job writes lint rule", () => {
  it("refuses a bare casUpdate in workers/, scheduler/, shared/ and demo/ (a named operation passes)", async () => {
    for (const dir of ["workers", "scheduler", "shared", "demo"]) {
      expect(await bareCasLines(`${dir}/fixture.ts`)).toEqual([4]);
    }
  });

  it("allows it inside the store's own modules and in tests and benchmarks", async () => {
    expect(await bareCasLines("shared/jobs/fixture.ts")).toEqual([]);
    expect(await bareCasLines("test/fixture.ts")).toEqual([]);
    expect(await bareCasLines("bench/fixture.ts")).toEqual([]);
  });
});
