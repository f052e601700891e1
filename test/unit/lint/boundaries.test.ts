/**
 * The boundary rule (`sluice/boundaries`, infra/lint/boundaries.js) fails the lint on a forbidden
 * import: the deliberate-violation fixture is linted with the project's own ESLint config as if it
 * were a file in each production folder (`npm run lint` checks the real tree with the same rule).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const fixture = readFileSync(resolve(import.meta.dirname, "fixtures/forbidden-imports.ts.txt"), "utf8");
const apiFixture = readFileSync(resolve(import.meta.dirname, "fixtures/api-imports.ts.txt"), "utf8");
const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(filePath: string, text = fixture): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "sluice/boundaries")
    .map((m) => `${m.line}:${/import (\w+\/)/.exec(m.message)?.[1] ?? "?"}`);
}

describe("folder boundaries lint rule", () => {
  it("scheduler/ may not import workers/, infra/, bench/ or test/", async () => {
    expect(await boundaryErrors("scheduler/fixture.ts")).toEqual([
      "3:workers/",
      "5:infra/",
      "6:bench/",
      "7:test/",
      "8:workers/",
      "9:test/",
      "10:infra/",
      "12:workers/",
    ]);
  });

  it("workers/ may not import scheduler/, infra/, bench/ or test/", async () => {
    expect(await boundaryErrors("workers/fixture.ts")).toEqual([
      "4:scheduler/",
      "5:infra/",
      "6:bench/",
      "7:test/",
      "9:test/",
      "10:infra/",
    ]);
  });

  it("shared/ may import none of them", async () => {
    expect(await boundaryErrors("shared/fixture.ts")).toEqual([
      "3:workers/",
      "4:scheduler/",
      "5:infra/",
      "6:bench/",
      "7:test/",
      "8:workers/",
      "9:test/",
      "10:infra/",
      "12:workers/",
    ]);
  });

  it("cli/ may import scheduler/, workers/ and shared/, but not infra/, bench/ or test/", async () => {
    expect(await boundaryErrors("cli/fixture.ts")).toEqual([
      "5:infra/",
      "6:bench/",
      "7:test/",
      "9:test/",
      "10:infra/",
    ]);
  });

  it("api/ may import shared/ and only the scheduler/ and workers/ operation modules on its allow-list", async () => {
    expect(await boundaryErrors("api/fixture.ts", apiFixture)).toEqual([
      "7:scheduler/",
      "8:workers/",
      "9:test/",
    ]);
    expect(await boundaryErrors("api/fixture.ts")).toEqual([
      "3:workers/",
      "4:scheduler/",
      "5:infra/",
      "6:bench/",
      "7:test/",
      "8:workers/",
      "9:test/",
      "10:infra/",
      "12:workers/",
    ]);
  });

  it("scheduler/, workers/ and shared/ may not import api/", async () => {
    const text =
      'import { buildApiServer } from "../api/server.ts";\nexport const used = [buildApiServer];\n';
    for (const from of ["scheduler", "workers", "shared"]) {
      expect(await boundaryErrors(`${from}/fixture.ts`, text)).toEqual(["1:api/"]);
    }
  });

  it("tests, benchmarks and tools may import anything", async () => {
    expect(await boundaryErrors("test/fixture.ts")).toEqual([]);
    expect(await boundaryErrors("bench/fixture.ts")).toEqual([]);
  });
});
