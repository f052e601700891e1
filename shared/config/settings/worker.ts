import { z } from "zod";
import { int, type Setting } from "./kit.ts";

/** Workers: slots, prefetch, receives, visibility and leases, attempts, claim checks. */
export const WORKER_SETTINGS = {
  SLUICE_WORKER_CONCURRENCY: {
    schema: int(1, 10_000),
    default: "8",
    expected: "a positive integer",
    description: "Jobs one worker process runs at once.",
  },
  SLUICE_WORKER_PREFETCH: {
    schema: int(0, 100),
    expected: "an integer from 0 to 100",
    description:
      "Work messages a worker holds beyond its free slots (not yet claimed), so a freed slot starts the next job without a receive; taken only while the work queue has work waiting and slots turn over within a second; unset: a quarter of the concurrency (at least 1); 0 disables it. Reported in the worker's heartbeat: the scheduler's default release lead covers it.",
  },
  SLUICE_WORKER_ID: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    expected: "1-64 letters, digits, '_', '.', ':' or '-'",
    description: "Lease owner id of this worker; unset to derive one from host and pid.",
  },
  SLUICE_POLL_WAIT_SECONDS: {
    schema: int(0, 20),
    default: "20",
    expected: "an integer from 0 to 20",
    description: "SQS long-poll wait time for receives.",
  },
  SLUICE_VISIBILITY_TIMEOUT_SECONDS: {
    schema: int(1, 43_200),
    default: "30",
    expected: "an integer from 1 to 43200",
    description:
      "SQS visibility timeout of the work queue; a worker extends it for as long as the job is in the worker (every third of the shorter of this and the lease).",
  },
  SLUICE_LEASE_SECONDS: {
    schema: int(1, 86_400),
    default: "60",
    expected: "an integer from 1 to 86400",
    description:
      "Job lease length in MongoDB; the worker running a job extends it for as long as the job is in the worker; the sweeper requeues jobs whose lease expired.",
  },
  SLUICE_JOB_MAX_ATTEMPTS: {
    schema: int(1, 1000),
    default: "5",
    expected: "an integer from 1 to 1000",
    description:
      "Runs of one job in a row that may end without progress (no checkpoint: its worker died, its lease was lost, the run failed) before the job is failed with `Sluice.Poison` and the reason; counted on the job document across redeliveries, sweeps and workers, reset by any progress.",
  },
  SLUICE_CLAIM_CHECK_THRESHOLD_BYTES: {
    schema: int(1, 262_144),
    default: "196608",
    expected: "an integer from 1 to 262144",
    description: "Payloads larger than this go to S3 and travel as a reference (claim check).",
  },
  SLUICE_CLAIM_CHECK_MAX_READ_BYTES: {
    schema: int(1024),
    default: "67108864",
    expected: "an integer of at least 1024",
    description:
      "Largest S3 object a claim-check read takes into memory (a job's `inputRef`, stored execution states and results, review data): checked with a HEAD before reading and enforced while reading; a larger one fails its job with `Sluice.PayloadTooLarge` and the reason.",
  },
} as const satisfies Record<string, Setting<unknown>>;
