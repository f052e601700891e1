import { ApiError } from "../errors.ts";

/**
 * Another tenant's job and a job that does not exist are the same answer, built in one place: the
 * same status, code, message and details, whatever the id.
 */
export function jobNotFound(jobId: string): ApiError {
  return new ApiError(404, "job_not_found", "no such job", { jobId: String(jobId).slice(0, 64) });
}
