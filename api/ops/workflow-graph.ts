/**
 * A workflow (Amazon States Language) as a graph the console can draw (pure): one node per top-level
 * state (a Parallel or Map is one node naming its branches), one edge per transition — `Next`,
 * `Default`, each Choice rule, each Catch — and a layered layout: a state's layer is its distance
 * from `StartAt`, its column its order of discovery in that layer. Coordinates are in layout units
 * (the console scales them).
 */
export interface GraphNode {
  readonly id: string;
  readonly type: string;
  readonly end: boolean;
  /** For Parallel / Map: what runs inside. */
  readonly note?: string;
  readonly layer: number;
  readonly column: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** `next`, `default`, `choice`, `catch`. */
  readonly kind: string;
}

export interface WorkflowGraph {
  readonly startAt: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Edges leaving one state. */
function transitions(name: string, state: Json): GraphEdge[] {
  const out: GraphEdge[] = [];
  const add = (to: unknown, kind: string) => {
    if (typeof to === "string") out.push({ from: name, to, kind });
  };
  add(state["Next"], "next");
  add(state["Default"], "default");
  if (Array.isArray(state["Choices"]))
    for (const c of state["Choices"]) if (isObject(c)) add(c["Next"], "choice");
  if (Array.isArray(state["Catch"])) for (const c of state["Catch"]) if (isObject(c)) add(c["Next"], "catch");
  return out;
}

function noteOf(state: Json): string | undefined {
  if (state["Type"] === "Parallel" && Array.isArray(state["Branches"]))
    return `${state["Branches"].length} branch(es)`;
  if (state["Type"] === "Map") {
    const inner = isObject(state["ItemProcessor"]) ? state["ItemProcessor"] : state["Iterator"];
    const states = isObject(inner) && isObject(inner["States"]) ? Object.keys(inner["States"]) : [];
    return `per item: ${states.join(" → ")}`;
  }
  if (state["Type"] === "Task" && typeof state["Resource"] === "string") {
    const r = state["Resource"];
    return r.slice(r.lastIndexOf(":") + 1);
  }
  return undefined;
}

export function workflowGraph(definition: unknown): WorkflowGraph {
  if (!isObject(definition) || !isObject(definition["States"]) || typeof definition["StartAt"] !== "string")
    throw new Error("not a state machine definition (StartAt and States required)");
  const states = definition["States"];
  const startAt = definition["StartAt"];
  const edges = Object.entries(states).flatMap(([name, st]) => (isObject(st) ? transitions(name, st) : []));
  const layer = new Map<string, number>([[startAt, 0]]);
  const queue = [startAt];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const e of edges) {
      if (e.from !== at || layer.has(e.to) || !(e.to in states)) continue;
      layer.set(e.to, layer.get(at)! + 1);
      queue.push(e.to);
    }
  }
  // States nothing reaches (a definition error the validator would refuse) go in a last layer.
  const last = Math.max(0, ...layer.values()) + 1;
  for (const name of Object.keys(states)) if (!layer.has(name)) layer.set(name, last);
  const columns = new Map<number, number>();
  const order = [...layer.entries()].sort((a, b) => a[1] - b[1]);
  const nodes: GraphNode[] = order.map(([id, l]) => {
    const st = states[id];
    const column = columns.get(l) ?? 0;
    columns.set(l, column + 1);
    const note = isObject(st) ? noteOf(st) : undefined;
    return {
      id,
      type: isObject(st) && typeof st["Type"] === "string" ? st["Type"] : "?",
      end: isObject(st) && (st["End"] === true || st["Type"] === "Succeed" || st["Type"] === "Fail"),
      ...(note !== undefined ? { note } : {}),
      layer: l,
      column,
    };
  });
  return { startAt, nodes, edges: edges.filter((e) => e.to in states) };
}
