/**
 * For tests whose scheduler needs worker capacity but no worker: one worker heartbeat with `slots`
 * free slots that stays live for `forMs` (the scheduler's free slots come from these heartbeats).
 */
import { FleetCapacity } from "../../../scheduler/store/capacity.ts";
import type { TestFleet } from "./fleet.ts";

export async function heartbeatSlots(
  fleet: Pick<TestFleet, "rt">,
  workerId: string,
  slots: number,
  forMs: number,
): Promise<void> {
  await new FleetCapacity(fleet.rt.fleetDb).heartbeat({ workerId, slots, busy: 0, at: Date.now() + forMs });
}
