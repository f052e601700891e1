import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing running; `integration` talks to the real local stack
// (LocalStack + MongoDB-wire server) whose endpoints come from the environment (see infra/).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
