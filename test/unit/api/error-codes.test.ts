/**
 * Every error code the API can answer is in the one documented table (api/errors.ts), the README
 * embeds that table, and the OpenAPI document lists it. Codes thrown in api/ are found in the source
 * (`new ApiError(<status>, "<code>"`), so a code added in a handler without documenting it fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ApiError, ERROR_CODES, errorBody, errorCodesMarkdown } from "../../../api/errors.ts";
import { buildOpenApi } from "../../../api/http/openapi.ts";
import { toApiError } from "../../../api/http/errors-handler.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The top-level arguments of the call whose `(` is at `open` in `text` (strings and nesting respected). */
function callArgs(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      current += c;
      if (c === "\\") current += text[++i] ?? "";
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) break;
      depth--;
    } else if (c === "," && depth === 0) {
      args.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim() !== "") args.push(current.trim());
  return args;
}

/**
 * `[file, status, code]` of every code passed to `new ApiError(...)` or another `new …ApiError(...)`
 * (the job operations' `JobsApiError`) in api/; every string literal of the code argument counts
 * (`unknown ? "unknown_workflow" : "invalid_workflow"` gives both).
 */
function thrown(): [string, number | undefined, string][] {
  const out: [string, number | undefined, string][] = [];
  for (const file of sources(resolve(ROOT, "api"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/new \w*ApiError\(/g)) {
      const [status, code] = callArgs(text, (m.index ?? 0) + m[0].length - 1);
      if (code === undefined) continue;
      const literals = [...code.matchAll(/"([a-z_]+)"/g)].map((x) => x[1] as string);
      // The error handler re-wraps codes it has checked against the table; everywhere else a literal.
      if (literals.length === 0 && file.endsWith("api/http/errors-handler.ts")) continue;
      expect(literals.length, `${file}: ${code} (the code must be a literal)`).toBeGreaterThan(0);
      for (const c of literals) {
        out.push([file.slice(ROOT.length + 1), /^\d{3}$/.test(status ?? "") ? Number(status) : undefined, c]);
      }
    }
  }
  return out;
}

const cells = (table: string) =>
  table
    .trim()
    .split("\n")
    .filter((l) => !/^\|[\s|:-]+\|$/.test(l))
    .map((l) =>
      l
        .replace(/^\||\|$/g, "")
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );

describe("API error codes", () => {
  it("every code thrown in api/ is documented, with the documented status", () => {
    const found = thrown();
    expect(found.length).toBeGreaterThan(10);
    for (const [file, status, code] of found) {
      expect(Object.keys(ERROR_CODES), `${file}: ${code}`).toContain(code);
      if (status !== undefined) {
        expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status, `${file}: ${code}`).toBe(status);
      }
    }
  });

  it("the README embeds the table of every code", () => {
    const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
    const m = /<!-- api-errors:start -->\s*([\s\S]*?)\s*<!-- api-errors:end -->/.exec(readme);
    expect(m, "api-errors markers missing from README.md").not.toBeNull();
    expect(cells(m?.[1] ?? "")).toEqual(cells(errorCodesMarkdown()));
  });

  it("the OpenAPI document lists every code and the Error schema's code enum is the same list", () => {
    const doc = buildOpenApi([], { title: "t", version: "1" }) as {
      "x-error-codes": Record<string, { status: number }>;
      components: {
        schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } };
      };
    };
    expect(Object.keys(doc["x-error-codes"]).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(doc.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(
      Object.keys(ERROR_CODES).sort(),
    );
  });

  it("an ApiError must carry its code's documented status", () => {
    expect(() => new ApiError(400, "rate_limited", "x")).toThrow(/must have status 429/);
    expect(errorBody(new ApiError(404, "not_found", "gone"))).toEqual({
      error: { code: "not_found", message: "gone", details: {} },
    });
  });

  it("maps Fastify's refusals to documented codes and leaves unknown errors to the 500 path", () => {
    const fst = (code: string, statusCode = 400) => Object.assign(new Error(code), { code, statusCode });
    expect(toApiError(fst("FST_ERR_CTP_BODY_TOO_LARGE", 413))?.code).toBe("payload_too_large");
    expect(toApiError(fst("FST_ERR_CTP_INVALID_JSON_BODY"))?.code).toBe("invalid_json");
    expect(toApiError(fst("FST_ERR_CTP_EMPTY_JSON_BODY"))?.code).toBe("invalid_json");
    expect(toApiError(fst("FST_ERR_CTP_INVALID_MEDIA_TYPE", 415))?.code).toBe("unsupported_media_type");
    expect(toApiError(new Error("boom"))).toBeUndefined();
    // Another module's error with a documented code and its status renders as that code...
    const jobs = Object.assign(new Error("no such job"), {
      status: 404,
      code: "job_not_found",
      details: { jobId: "j" },
    });
    expect(toApiError(jobs)).toMatchObject({ status: 404, code: "job_not_found", details: { jobId: "j" } });
    // ...but not with another status, nor an undocumented code.
    expect(toApiError(Object.assign(new Error("x"), { status: 500, code: "job_not_found" }))).toBeUndefined();
    expect(toApiError(Object.assign(new Error("x"), { status: 404, code: "ENOENT" }))).toBeUndefined();
    expect(toApiError(new TypeError("x is undefined"))).toBeUndefined();
  });
});
