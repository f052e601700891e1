import { describe, expect, it } from "vitest";
import { corpusCommand, parseGenerateArgs } from "../../../infra/corpus/cli.ts";

describe("corpus generate arguments", () => {
  it("parses the required flags and the lists", () => {
    expect(
      parseGenerateArgs([
        "--n",
        "12",
        "--seed",
        "abc",
        "--out",
        "/tmp/c",
        "--kinds",
        "scan,text-pdf",
        "--strengths",
        "mild",
      ]),
    ).toEqual({ n: 12, seed: "abc", out: "/tmp/c", kinds: ["scan", "text-pdf"], strengths: ["mild"] });
    expect(parseGenerateArgs(["--help"])).toBe("help");
  });

  it("names what is wrong", () => {
    const err = (argv: string[]) => {
      const r = parseGenerateArgs(argv);
      return typeof r === "object" && "error" in r ? r.error : "no error";
    };
    expect(err(["--seed", "s", "--out", "d"])).toMatch(/--n must be a number/);
    expect(err(["--n", "0", "--seed", "s", "--out", "d"])).toMatch(/--n must be at least 1/);
    expect(err(["--n", "2.5", "--seed", "s", "--out", "d"])).toMatch(/whole number/);
    expect(err(["--n", "3", "--out", "d"])).toMatch(/--seed is required/);
    expect(err(["--n", "3", "--seed", "s"])).toMatch(/--out is required/);
    expect(err(["--n", "3", "--seed", "s", "--out", "d", "--kinds", "scan,fax"])).toMatch(
      /unknown kind "fax"/,
    );
    expect(err(["--n", "3", "--seed", "s", "--out", "d", "--types", "memo"])).toMatch(/unknown type "memo"/);
    expect(err(["--n", "3", "--seed", "s", "--out", "d", "--scale", "9"])).toMatch(
      /--scale must be at most 4/,
    );
    expect(err(["--n", "3", "--bogus"])).toMatch(/bogus/);
  });

  it("prints usage for --help and refuses an unknown action", async () => {
    const lines: string[] = [];
    expect(await corpusCommand(["--help"], (l) => lines.push(l))).toBe(0);
    expect(lines.join("\n")).toMatch(/corpus generate --n N --seed S --out DIR/);
    expect(await corpusCommand(["make"], () => {})).toBe(2);
  });
});
