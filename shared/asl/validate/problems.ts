/**
 * What definition validation reports: each problem names the offending spot with a JSON pointer
 * into the definition (`/States/Foo/Next`), so an author can find it without reading our code.
 */
export interface DefinitionProblem {
  /** JSON pointer (RFC 6901) into the definition; `""` is the whole definition. */
  pointer: string;
  message: string;
}

/** Thrown when a definition is loaded that does not validate; carries every problem found. */
export class InvalidDefinitionError extends Error {
  readonly problems: DefinitionProblem[];

  constructor(problems: DefinitionProblem[]) {
    const first = problems[0];
    const summary = first ? `${first.pointer || "/"}: ${first.message}` : "invalid definition";
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    super(`Invalid state machine definition: ${summary}${more}`);
    this.name = "InvalidDefinitionError";
    this.problems = problems;
  }
}

/** Escapes one JSON pointer reference token (`~` → `~0`, `/` → `~1`). */
export const pointerToken = (token: string | number): string =>
  String(token).replace(/~/g, "~0").replace(/\//g, "~1");

/** Appends reference tokens to a JSON pointer. */
export const joinPointer = (base: string, ...tokens: (string | number)[]): string =>
  tokens.reduce<string>((acc, t) => `${acc}/${pointerToken(t)}`, base);
