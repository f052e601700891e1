import { z } from "zod";

/**
 * The priority attribute an upstream system may put on a job message. Within one tenant, `high` is
 * released before `normal` before `low` (with bounded bypass aging, see `fairshare/priority-pick.ts`);
 * priority never moves work between tenants.
 */
export const PRIORITIES = ["high", "normal", "low"] as const;

export const PrioritySchema = z.enum(PRIORITIES);

export type Priority = z.infer<typeof PrioritySchema>;

/** The priority of a message that carries none. */
export const DEFAULT_PRIORITY: Priority = "normal";

/** Queued job counts of one tenant, per priority. */
export type Backlog = Readonly<Record<Priority, number>>;

export const EMPTY_BACKLOG: Backlog = Object.freeze({ high: 0, normal: 0, low: 0 });

export function backlogTotal(backlog: Backlog): number {
  return backlog.high + backlog.normal + backlog.low;
}
