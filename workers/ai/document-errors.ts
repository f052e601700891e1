/**
 * Error names of the document steps (`detect`, `pdf-text`, `pdf-render`, `thumbnail`), thrown as
 * `StepError(name, cause)` so a workflow's Retry/Catch can match them. None of them is transient:
 * retrying the same bytes gives the same answer.
 */
export const DocumentErrors = {
  /** Not a PDF or a supported image (a zip, a Word file, text…). */
  unsupported: "Sluice.UnsupportedDocument",
  /** Empty, truncated or malformed: a PDF or image whose bytes cannot be parsed. */
  corrupt: "Sluice.CorruptDocument",
  /** A password-protected PDF. */
  encrypted: "Sluice.EncryptedDocument",
  /** More pages than the page cap. */
  tooManyPages: "Sluice.TooManyPages",
  /** An image (or a rendered page) over the pixel limit. */
  imageTooLarge: "Sluice.ImageTooLarge",
  /** A page number the document does not have. */
  noSuchPage: "Sluice.NoSuchPage",
} as const;
export type DocumentErrorName = (typeof DocumentErrors)[keyof typeof DocumentErrors];
