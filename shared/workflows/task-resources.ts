/** Every Task state's Resource in a definition, nested Parallel branches and Map processors included. */
export function taskResources(definition: unknown): { pointer: string; resource: string }[] {
  const out: { pointer: string; resource: string }[] = [];
  walk(definition, "", out);
  return out;
}

function walk(machine: unknown, base: string, out: { pointer: string; resource: string }[]): void {
  if (!isObject(machine) || !isObject(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    if (!isObject(state)) continue;
    const ptr = `${base}/States/${escapePointer(name)}`;
    if (state.Type === "Task" && typeof state.Resource === "string") {
      out.push({ pointer: `${ptr}/Resource`, resource: state.Resource });
    }
    if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
      state.Branches.forEach((b, i) => walk(b, `${ptr}/Branches/${i}`, out));
    }
    if (state.Type === "Map") {
      if (state.ItemProcessor !== undefined) walk(state.ItemProcessor, `${ptr}/ItemProcessor`, out);
      if (state.Iterator !== undefined) walk(state.Iterator, `${ptr}/Iterator`, out);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}
