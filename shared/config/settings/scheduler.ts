import { z } from "zod";
import { int, type Setting } from "./kit.ts";

/** The scheduler: release ticks, intake long polls, replicas and their tenant leases. */
export const SCHEDULER_SETTINGS = {
  SLUICE_SCHEDULER_INTERVAL_MS: {
    schema: int(10, 3_600_000),
    default: "200",
    expected: "an integer from 10 to 3600000",
    description: "Pause between scheduler release ticks when there is nothing to release or wait for.",
  },
  SLUICE_SCHEDULER_BUSY_INTERVAL_MS: {
    schema: int(1, 60_000),
    default: "25",
    expected: "an integer from 1 to 60000",
    description:
      "Pause between scheduler ticks while work waits only for a worker slot or its tenant's cap (how soon a freed slot is refilled).",
  },
  SLUICE_SCHEDULER_RELEASE_LEAD: {
    schema: int(0, 10_000),
    expected: "an integer from 0 to 10000",
    description:
      "Released jobs allowed to wait on the work queue beyond free worker slots, so a freed slot finds work at once; unset: the live workers' prefetch (from their heartbeats) plus a quarter of the live slots (at least 1); 0 disables it. Caps still hold.",
  },
  SLUICE_INTAKE_LONG_POLL_SECONDS: {
    schema: int(0, 20),
    default: "20",
    expected: "an integer from 0 to 20",
    description:
      "WaitTimeSeconds of the SQS long poll that watches each idle tenant's intake queue (a tenant without backlog costs one request per this many seconds; its first message wakes the release loop as soon as the poll returns it and is released by the next tick). 0 turns long polls off: every tenant is short-polled every 200 ms, as before ADR 0023.",
  },
  SLUICE_INTAKE_MAX_SOCKETS: {
    schema: int(1, 100_000),
    default: "1000",
    expected: "an integer from 1 to 100000",
    description:
      "Sockets of the scheduler's long-poll SQS client (one open poll per idle tenant it owns): keep it above the tenants one scheduler replica owns, plus headroom; polls beyond it wait for a socket.",
  },
  SLUICE_SCHEDULER_ID: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    expected: "1-64 letters, digits, '_', '.', ':' or '-'",
    description:
      "This scheduler replica's id: owner of its tenant leases (`scheduler_leases`) and name of its `scheduler_stats` documents; unset to derive one from host, pid and a random suffix.",
  },
  SLUICE_SCHEDULER_LEASE_MS: {
    schema: int(1_000, 600_000),
    default: "10000",
    expected: "an integer from 1000 to 600000",
    description:
      "Length of a scheduler replica's tenant leases and heartbeat: a replica that dies loses its tenants to the others this long after its last renewal (plus one ownership round). A replica stops releasing a tenant's messages when less than a quarter of this is left on its lease.",
  },
  SLUICE_SCHEDULER_RENEW_MS: {
    schema: int(100, 60_000),
    default: "1000",
    expected: "an integer from 100 to 60000",
    description:
      "Least time between a scheduler replica's ownership rounds (heartbeat, renew its leases, rebalance tenants); must be well under a quarter of SLUICE_SCHEDULER_LEASE_MS.",
  },
  SLUICE_SCHEDULER_INTAKE_VISIBILITY_SECONDS: {
    schema: int(5, 43_200),
    default: "60",
    expected: "an integer from 5 to 43200",
    description:
      "Visibility timeout of the intake messages a scheduler holds in its buffers (extended while held). A replica that dies holds its buffered messages this long before the tenant's next owner can receive them.",
  },
} as const satisfies Record<string, Setting<unknown>>;
