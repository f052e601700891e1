import { int, type Setting } from "./kit.ts";

/** The sweeper, job task concurrency, shutdown, health checks and dependency outages. */
export const LIFECYCLE_SETTINGS = {
  SLUICE_SWEEPER_INTERVAL_MS: {
    schema: int(100, 3_600_000),
    default: "1000",
    expected: "an integer from 100 to 3600000",
    description: "Pause between sweeper ticks (expired leases, due wake-ups).",
  },
  SLUICE_SWEEPER_REDRIVE_AFTER_MS: {
    schema: int(1000, 86_400_000),
    expected: "an integer from 1000 to 86400000",
    description:
      "Age after which the sweeper re-sends the work message of a `queued` job nobody claimed, and the intake message of a job the API recorded but never confirmed sent (ADR 0026); default 2 × the visibility timeout.",
  },
  SLUICE_JOB_TASK_CONCURRENCY: {
    schema: int(1, 1000),
    default: "4",
    expected: "an integer from 1 to 1000",
    description: "Task states one job runs at once (Parallel and Map branches), within the worker's slots.",
  },
  SLUICE_SHUTDOWN_GRACE_MS: {
    schema: int(0, 3_600_000),
    default: "10000",
    expected: "an integer from 0 to 3600000",
    description:
      "On SIGTERM/SIGINT, how long running jobs get to reach a resting point before they are released.",
  },
  SLUICE_HEALTH_CHECK_MS: {
    schema: int(100, 60_000),
    default: "1000",
    expected: "an integer from 100 to 60000",
    description:
      "Period of the worker's liveness watchdog and of the MongoDB reachability probe (workers and scheduler).",
  },
  SLUICE_INTAKE_STALL_MS: {
    schema: int(1000, 3_600_000),
    default: "10000",
    expected: "an integer from 1000 to 3600000",
    description:
      "A worker with free slots that sent no receive for this long (or whose receive hangs this long past the poll wait) has its intake restarted; after 3 restarts without a successful receive it exits 1.",
  },
  SLUICE_MONGO_RECONNECT_AFTER_MS: {
    schema: int(1000, 3_600_000),
    default: "10000",
    expected: "an integer from 1000 to 3600000",
    description:
      "MongoDB unreachable this long: the process recreates its client (again every such period while it stays down). Workers stop receiving work while MongoDB is unreachable.",
  },
  SLUICE_DEPENDENCY_EXIT_AFTER_MS: {
    schema: int(1000, 86_400_000),
    default: "120000",
    expected: "an integer from 1000 to 86400000",
    description:
      "MongoDB or the work queue unreachable this long: the worker or scheduler exits 1 for its supervisor to replace it. At start-up, the same budget: an unreachable MongoDB or SQS is retried (250 ms doubling to 5 s) before the process gives up.",
  },
} as const satisfies Record<string, Setting<unknown>>;
