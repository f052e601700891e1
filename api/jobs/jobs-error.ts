/**
 * A refusal of a job operation, with its HTTP status and stable error code (the codes are listed in
 * the README's API section). The routes render it as the API's `{error: {code, message, details}}`.
 */
export class JobsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "JobsApiError";
  }
}

/**
 * Another tenant's job and a job that does not exist are the same answer, built in one place: the
 * same status, code, message and details, whatever the id.
 */
export function jobNotFound(jobId: string): JobsApiError {
  return new JobsApiError(404, "job_not_found", "no such job", { jobId: String(jobId).slice(0, 64) });
}
