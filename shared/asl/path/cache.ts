/**
 * A bounded string-keyed memo for compiled paths and intrinsic ASTs. Compilation is a pure
 * function of the source text, so sharing one table per kind is safe; the bound keeps a fleet
 * fed with tenant-supplied definitions from growing without limit (the table is simply cleared
 * when full — hot entries come straight back).
 */
export class CompileCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly limit = 10_000) {}

  get(key: string, compile: (key: string) => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compile(key);
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
