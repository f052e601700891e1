import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readVitestCounts } from "../../../infra/test-runner.ts";

function report(r: object): string {
  const file = join(mkdtempSync(join(tmpdir(), "sluice-counts-")), "r.json");
  writeFileSync(file, JSON.stringify(r));
  return file;
}

describe("npm test's counts from vitest's JSON report", () => {
  it("counts failed tests, not the suites around them", () => {
    const file = report({
      numPassedTests: 5,
      numFailedTests: 1,
      numFailedTestSuites: 2,
      testResults: [{ status: "failed", assertionResults: [{ status: "passed" }, { status: "failed" }] }],
    });
    expect(readVitestCounts(file)).toEqual({ passed: 5, failed: 1, skipped: 0 });
  });

  it("counts a file that failed without a failing test (an import error) as a failure", () => {
    const file = report({
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 1,
      testResults: [{ status: "failed", assertionResults: [] }, { status: "passed" }],
    });
    expect(readVitestCounts(file)).toEqual({ passed: 3, failed: 1, skipped: 1 });
  });

  it("has no counts without a readable report", () => {
    expect(readVitestCounts(join(tmpdir(), "no-such-report.json"))).toBeUndefined();
  });
});
