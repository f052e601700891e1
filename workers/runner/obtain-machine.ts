import type { CompiledMachine, ExecutionState } from "../../shared/asl/index.ts";
import type { JobDoc } from "../../shared/jobs/job-doc.ts";
import type { WorkflowVersions } from "../../shared/workflows/versions.ts";

export type ObtainedMachine =
  { ok: true; machine: CompiledMachine; asCreated: boolean } | { ok: false; error: string; cause: string };

/**
 * The definition a job runs on: the one its execution names (`saved.def`) once it started, else
 * the version it was created on (`workflow.version`), from the files or `workflow_versions`.
 * Only a job created on a version nobody recorded (before versions existed, or by hand) starts
 * on the file's current one, and only on its first attempt (see the replay note in
 * workers/job-runner.ts). `asCreated`: the machine is the one the job was created with.
 */
export async function obtainMachine(
  workflows: WorkflowVersions,
  job: Pick<JobDoc, "workflow" | "attempts">,
  saved: ExecutionState | null,
): Promise<ObtainedMachine> {
  const name = job.workflow.name;
  if (saved) {
    const machine = await workflows.machine(saved.def);
    return machine
      ? { ok: true, machine, asCreated: true }
      : {
          ok: false,
          error: "Sluice.WorkflowVersionMissing",
          cause: `job runs version ${saved.def} of "${name}", found neither in this fleet's workflow files nor in workflow_versions`,
        };
  }
  const created = await workflows.machineToStart(job.workflow.version);
  if (created) return { ok: true, machine: created, asCreated: true };
  const current = workflows.catalog().get(name);
  if (!current)
    return { ok: false, error: "Sluice.UnknownWorkflow", cause: `this fleet has no workflow "${name}"` };
  if (job.attempts > 1) {
    // An earlier attempt may have run the first steps of the definition the job was created
    // with (they are dispatched before any write): do not start it over on another.
    return {
      ok: false,
      error: "Sluice.WorkflowChanged",
      cause: `job may have started on an unrecorded definition of "${name}" (${job.workflow.version}); this fleet runs ${current.version}`,
    };
  }
  await workflows.record(current);
  return { ok: true, machine: current.machine, asCreated: false };
}
