/** A description of the machine a benchmark ran on, for the report and the result file. */
import os from "node:os";
import { gcAvailable } from "./gc.ts";

export interface MachineInfo {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  gcBetweenRounds: boolean;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpus: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gcBetweenRounds: gcAvailable(),
  };
}

export function describeMachine(m: MachineInfo): string {
  return (
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform} ${m.arch}; ` +
    `node ${m.node} (v8 ${m.v8}); gc between rounds: ${m.gcBetweenRounds ? "yes" : "no"}`
  );
}
