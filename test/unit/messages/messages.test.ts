import { describe, expect, it } from "vitest";
import { MAX_INLINE_INPUT_BYTES, parseIntakeMessage } from "../../../shared/messages/intake-message.ts";
import { parseWorkMessage, workMessageJobHint } from "../../../shared/messages/work-message.ts";

const valid = { tenantId: "acme", workflow: "hello", idempotencyKey: "k-1", input: { name: "Ada" } };
const body = (o: unknown) => JSON.stringify(o);

describe("intake messages", () => {
  it("accepts a valid message, with or without priority", () => {
    expect(parseIntakeMessage(body(valid), "acme")).toEqual({ ok: true, message: valid });
    const withPriority = { ...valid, priority: "high" };
    expect(parseIntakeMessage(body(withPriority), "acme")).toEqual({ ok: true, message: withPriority });
  });

  it("names malformed JSON", () => {
    const r = parseIntakeMessage("{nope", "acme");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^malformed JSON: /);
  });

  it("lists every missing or invalid field by path", () => {
    const r = parseIntakeMessage(body({ tenantId: "ACME!", input: 1 }), "acme");
    expect(r.ok).toBe(false);
    const reason = r.ok ? "" : r.reason;
    expect(reason).toMatch(/^invalid message: /);
    expect(reason).toMatch(/tenantId: /);
    expect(reason).toMatch(/workflow: /);
    expect(reason).toMatch(/idempotencyKey: /);
  });

  it("refuses unknown fields, both input and inputRef, and a bad priority", () => {
    expect(parseIntakeMessage(body({ ...valid, extra: 1 }), "acme").ok).toBe(false);
    const both = parseIntakeMessage(body({ ...valid, inputRef: { key: "tenants/acme/x" } }), "acme");
    expect(!both.ok && both.reason).toMatch(/inputRef: give either input or inputRef/);
    expect(parseIntakeMessage(body({ ...valid, priority: "urgent" }), "acme").ok).toBe(false);
  });

  it("refuses a message that names another tenant than the queue's", () => {
    const r = parseIntakeMessage(body({ ...valid, tenantId: "globex" }), "acme");
    expect(!r.ok && r.reason).toBe(
      'wrong tenant: message names "globex" but arrived on the intake queue of "acme"',
    );
  });

  it("refuses an inline input above the limit and says what to do instead", () => {
    const big = { ...valid, input: { blob: "x".repeat(MAX_INLINE_INPUT_BYTES) } };
    const r = parseIntakeMessage(body(big), "acme");
    expect(!r.ok && r.reason).toMatch(/^input too large: \d+ bytes inline .*inputRef$/);
    const justUnder = { ...valid, input: "x".repeat(MAX_INLINE_INPUT_BYTES - 10) };
    expect(parseIntakeMessage(body(justUnder), "acme").ok).toBe(true);
  });
});

describe("work messages", () => {
  it("accepts a pointer to a job and refuses anything else", () => {
    const msg = { tenantId: "acme", jobId: "01M8KTQFH2Y08Z4V2RACK348MD" };
    expect(parseWorkMessage(body(msg))).toEqual({ ok: true, message: msg });
    expect(parseWorkMessage("]")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^malformed JSON/),
    });
    const r = parseWorkMessage(body({ ...msg, jobId: "x" }));
    expect(!r.ok && r.reason).toMatch(/^invalid work message: jobId: /);
  });

  it("recovers the job a bad body names, when tenant and job id are valid on their own", () => {
    const bad = body({ tenantId: "acme", jobId: "01M8KTQFH2Y08Z4V2RACK348MD", extra: true });
    expect(parseWorkMessage(bad).ok).toBe(false);
    expect(workMessageJobHint(bad)).toEqual({ tenantId: "acme", jobId: "01M8KTQFH2Y08Z4V2RACK348MD" });
    expect(workMessageJobHint("not json")).toBeUndefined();
    expect(workMessageJobHint(body({ tenantId: "acme" }))).toBeUndefined();
  });
});
