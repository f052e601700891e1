/** Progress lines on stderr, so that stdout carries only the report. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
