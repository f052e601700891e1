/**
 * What a Path can see while a state runs: `$` is the effective input, `$$` the context object and
 * `$name` an Assign variable. Built by the engine per transition; paths only read it.
 */
export interface PathContext {
  /** What `$` refers to (the effective input). */
  input: unknown;
  /** What `$$` refers to (the context object). */
  context: unknown;
  /** What `$name` refers to (Assign variables). */
  variables: Readonly<Record<string, unknown>>;
}
