import { describe, expect, it } from "vitest";
import { isKeyedJobId, keyedJobId, newJobId } from "../../../shared/jobs/job-id.ts";
import { parseIntakeMessage } from "../../../shared/messages/intake-message.ts";

describe("keyed job ids", () => {
  it("belong to one tenant and key, at any creation time", () => {
    const id = keyedJobId("acme", "k-1", 1_700_000_000_000);
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    expect(isKeyedJobId(id, "acme", "k-1")).toBe(true);
    expect(isKeyedJobId(keyedJobId("acme", "k-1", 5), "acme", "k-1")).toBe(true);
    expect(isKeyedJobId(id, "globex", "k-1")).toBe(false);
    expect(isKeyedJobId(id, "acme", "k-2")).toBe(false);
    expect(isKeyedJobId(newJobId(1_700_000_000_000), "acme", "k-1")).toBe(false);
    expect(isKeyedJobId(id.toLowerCase(), "acme", "k-1")).toBe(false);
  });

  it("an intake message's jobId must be the keyed id of the queue's tenant and the message's key", () => {
    const msg = (jobId: string) =>
      JSON.stringify({ tenantId: "acme", workflow: "hello", idempotencyKey: "k-1", jobId });
    expect(parseIntakeMessage(msg(keyedJobId("acme", "k-1", 1)), "acme").ok).toBe(true);
    const other = parseIntakeMessage(msg(keyedJobId("globex", "k-1", 1)), "acme");
    expect(other).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid jobId/) });
    expect(parseIntakeMessage(msg(newJobId(1)), "acme").ok).toBe(false);
  });
});
