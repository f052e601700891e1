import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configDocsMarkdown } from "../../../shared/config/docs.ts";

const readme = readFileSync(resolve(import.meta.dirname, "../../../README.md"), "utf8");

/** A Markdown table as rows of trimmed cells, so formatting (column padding) does not matter. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split("\n")
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .replace(/^\||\|$/g, "")
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe("README", () => {
  it("embeds the configuration table generated from the settings", () => {
    const m = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    expect(m, "config table markers missing from README.md").not.toBeNull();
    expect(cells(m?.[1] ?? "")).toEqual(cells(configDocsMarkdown()));
  });

  it("gives the two commands", () => {
    expect(readme).toContain("npm run demo");
    expect(readme).toContain("npm test");
  });
});
