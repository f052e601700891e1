import { describe, expect, it } from "vitest";
import { newQueuedJob } from "../../../shared/jobs/job-doc.ts";
import type { JobDoc } from "../../../shared/jobs/job-doc.ts";
import { decideClaim } from "../../../shared/jobs/decide-claim.ts";
import { tenantId } from "../../../shared/tenancy/tenant-id.ts";

const NOW = 1_000_000;
const base = newQueuedJob(
  {
    jobId: "job-00000001",
    tenantId: tenantId("acme"),
    idempotencyKey: "k",
    workflow: { name: "w", version: "1" },
    input: { inline: null },
  },
  0,
);
const j = (over: Partial<JobDoc>): JobDoc => ({ ...base, ...over });

describe("decideClaim", () => {
  it.each([
    ["queued, no wait", j({}), { claimable: true, how: "fresh" }],
    ["queued, wait due now", j({ wakeAt: NOW }), { claimable: true, how: "fresh" }],
    ["queued, wait in the future", j({ wakeAt: NOW + 1 }), { claimable: false, reason: "not_due" }],
    [
      // issue 9 E/10: the owner of a live lease does not enter it a second time
      "running, my live lease",
      j({ status: "running", lease: { owner: "me", expiresAt: NOW + 9 } }),
      { claimable: false, reason: "leased" },
    ],
    [
      "running, my expired lease",
      j({ status: "running", lease: { owner: "me", expiresAt: 1 } }),
      { claimable: true, how: "stolen" },
    ],
    [
      "running, other's live lease",
      j({ status: "running", lease: { owner: "o", expiresAt: NOW + 1 } }),
      { claimable: false, reason: "leased" },
    ],
    [
      "running, other's lease expiring now",
      j({ status: "running", lease: { owner: "o", expiresAt: NOW } }),
      { claimable: true, how: "stolen" },
    ],
    ["running, no lease", j({ status: "running", lease: null }), { claimable: true, how: "stolen" }],
    ["needs_review", j({ status: "needs_review" }), { claimable: false, reason: "not_claimable" }],
    ["complete", j({ status: "complete" }), { claimable: false, reason: "not_claimable" }],
    ["failed", j({ status: "failed" }), { claimable: false, reason: "not_claimable" }],
    ["cancelled", j({ status: "cancelled" }), { claimable: false, reason: "not_claimable" }],
  ])("%s", (_name, job, expected) => {
    expect(decideClaim(job, NOW)).toEqual(expected);
  });
});

describe("decideClaim with an attempt limit (issue 9 bug 5)", () => {
  it.each([
    ["queued, under the limit", j({ attemptsWithoutProgress: 2 }), { claimable: true, how: "fresh" }],
    [
      "queued, at the limit",
      j({ attemptsWithoutProgress: 3 }),
      { claimable: false, reason: "exhausted", how: "fresh" },
    ],
    [
      "running, expired, at the limit",
      j({ status: "running", attemptsWithoutProgress: 3, lease: { owner: "o", expiresAt: 1 } }),
      { claimable: false, reason: "exhausted", how: "stolen" },
    ],
    [
      "running, live lease, at the limit: leased (the live run is never failed)",
      j({ status: "running", attemptsWithoutProgress: 3, lease: { owner: "o", expiresAt: NOW + 1 } }),
      { claimable: false, reason: "leased" },
    ],
    [
      "complete, at the limit",
      j({ status: "complete", attemptsWithoutProgress: 9 }),
      { claimable: false, reason: "not_claimable" },
    ],
    ["no counter yet (older document)", j({}), { claimable: true, how: "fresh" }],
  ])("%s", (_name, job, expected) => {
    expect(decideClaim(job, NOW, 3)).toEqual(expected);
  });
});
