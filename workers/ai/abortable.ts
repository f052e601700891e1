/**
 * Settles with `work`, or rejects with the signal's reason as soon as it aborts (calling `onAbort`
 * to stop the work, e.g. destroy a pdf.js document or terminate an OCR engine; `work` is then left
 * to settle on its own, its rejection handled).
 */
export function abortable<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => void,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    onAbort();
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(e);
      },
    );
  });
}
