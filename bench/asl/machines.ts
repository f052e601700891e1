/**
 * The benchmark's state machines, their inputs and how many transitions one execution makes.
 *
 * Counting transitions (the same for both engines): one transition per state entered. A Map state
 * counts 1 for itself plus every state entered inside its iterations; nothing else counts (no
 * execution start/end, no iteration start/end events). The counts are derived from the definitions
 * here and checked against each engine's history in test/unit/bench/machines.test.ts.
 */

export interface BenchMachine {
  /** Short name used in reports: "chain", "map", "jsonata". */
  name: string;
  description: string;
  definition: Record<string, unknown>;
  input: unknown;
  /** State entries of one execution. */
  transitions: number;
  /** Whether aws-local-stepfunctions 3.0.0 can run it (it has no JSONata support). */
  reference: boolean;
}

export interface MachineSizes {
  chainStates: number;
  mapItems: number;
}

export const FULL_SIZES: MachineSizes = { chainStates: 50, mapItems: 1000 };

const ORDER = { id: "order-1", customer: { id: "c-42", tier: "gold" }, lines: [1, 2, 3] };

function stateName(i: number): string {
  return `Step${String(i).padStart(2, "0")}`;
}

/** `n` Pass states; each adds 1 with `States.MathAdd` in `Parameters` and stores it at `$.acc`. */
export function jsonPathChain(n: number): BenchMachine {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    states[stateName(i)] = {
      Type: "Pass",
      Parameters: {
        "n.$": "States.MathAdd($.acc.n, 1)",
        "customer.$": "$.order.customer.id",
        at: stateName(i),
      },
      ResultPath: "$.acc",
      ...(i === n - 1 ? { End: true } : { Next: stateName(i + 1) }),
    };
  }
  return {
    name: "chain",
    description: `${n}-state JSONPath chain (Pass + Parameters + States.MathAdd + ResultPath)`,
    definition: { Comment: "bench: JSONPath chain", StartAt: stateName(0), States: states },
    input: { acc: { n: 0 }, order: ORDER },
    transitions: n,
    reference: true,
  };
}

/** A Map over `items` items; each iteration is Pass → Choice → Pass. */
export function mapMachine(items: number): BenchMachine {
  const half = Math.floor(items / 2);
  return {
    name: "map",
    description: `${items}-item Map (Pass → Choice → Pass, MaxConcurrency 0)`,
    definition: {
      Comment: "bench: Map",
      StartAt: "FanOut",
      States: {
        FanOut: {
          Type: "Map",
          ItemsPath: "$.items",
          MaxConcurrency: 0,
          ItemProcessor: {
            StartAt: "Prepare",
            States: {
              Prepare: { Type: "Pass", Parameters: { "v.$": "$.v", kind: "item" }, Next: "Route" },
              Route: {
                Type: "Choice",
                Choices: [{ Variable: "$.v", NumericLessThan: half, Next: "Low" }],
                Default: "High",
              },
              Low: { Type: "Pass", Result: "low", ResultPath: "$.band", End: true },
              High: { Type: "Pass", Result: "high", ResultPath: "$.band", End: true },
            },
          },
          End: true,
        },
      },
    },
    input: { items: Array.from({ length: items }, (_, v) => ({ v })) },
    transitions: 1 + 3 * items,
    reference: true,
  };
}

/** `n` JSONata Pass states; each adds 1 in `Output` and keeps the order. */
export function jsonataChain(n: number): BenchMachine {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    states[stateName(i)] = {
      Type: "Pass",
      Output: {
        acc: { n: "{% $states.input.acc.n + 1 %}", customer: "{% $states.input.order.customer.id %}" },
        order: "{% $states.input.order %}",
        at: stateName(i),
      },
      ...(i === n - 1 ? { End: true } : { Next: stateName(i + 1) }),
    };
  }
  return {
    name: "jsonata",
    description: `${n}-state JSONata chain (Pass + Output templates)`,
    definition: {
      Comment: "bench: JSONata chain",
      QueryLanguage: "JSONata",
      StartAt: stateName(0),
      States: states,
    },
    input: { acc: { n: 0 }, order: ORDER },
    transitions: n,
    reference: false,
  };
}

export function benchMachines(sizes: MachineSizes = FULL_SIZES): BenchMachine[] {
  return [jsonPathChain(sizes.chainStates), mapMachine(sizes.mapItems), jsonataChain(sizes.chainStates)];
}
