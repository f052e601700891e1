/**
 * The one CLI behind the npm scripts (reached through infra/run.sh, which installs dependencies
 * first). Each subcommand is loaded lazily so that nothing runs at import time.
 *
 *   test                 start the local stack if needed, run every check, stop what it started
 *   demo [options]       start the local stack if needed, run three tenants' jobs on a fleet, report
 *   build                compile the services into dist/ (the production build)
 *   stack <cmd>          up | down | status | logs [service] | env
 *   provision [flags]    create queues, bucket, indexes and default quotas for tenants
 *   conformance [file]   run the AWS-recorded ASL corpus through the engine
 *   bench <name>         run a benchmark (asl, worker, fairness)
 *   train <model>        train a shipped model and write its artifact (classifier)
 *   chaos [options]      the fleet under faults: kills, restarts, garbage; counts losses (bench/chaos/)
 *   review <action>      list | approve | reject jobs waiting for human review
 *   tenants <action>     list | check | set: operators' view and edits of tenant quotas
 *   jobs <action>        cancel | retry: operators' job operations
 *   workflows validate   check workflow files (a file or a directory); exit 1 if any is invalid
 *   corpus generate      generated business documents with ground truth (infra/corpus/)
 *   llm <install|smoke>  the local LLM provider: install it into the cache, answer one prompt
 */
const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  switch (command) {
    case "test":
      return (await import("./test-runner.ts")).runAllTests(rest);
    case "demo":
      return (await import("../demo/run-demo.ts")).runDemoCommand(rest);
    case "build":
      return (await import("./build.ts")).buildCommand(rest);
    case "stack":
      return (await import("./stack/index.ts")).stackCommand(rest);
    case "provision":
      return (await import("./provision.ts")).provisionCommand(rest);
    case "conformance":
      return (await import("../test/conformance/run.ts")).conformanceCommand(rest);
    case "review":
      return (await import("../workers/cli/review.ts")).reviewCommand(rest);
    case "tenants":
      return (await import("../scheduler/cli/tenants.ts")).tenantsCommand(rest);
    case "jobs":
      return (await import("../scheduler/cli/jobs.ts")).jobsCommand(rest);
    case "workflows":
      return (await import("../workers/cli/workflows.ts")).workflowsCommand(rest);
    case "llm":
      return (await import("../workers/cli/llm.ts")).llmCommand(rest);
    case "bench":
      return (await import("../bench/run.ts")).benchCommand(rest);
    case "corpus":
      return (await import("./corpus/cli.ts")).corpusCommand(rest);
    case "train":
      return (await import("./train/index.ts")).trainCommand(rest);
    case "chaos":
      return (await import("../bench/chaos/index.ts")).chaosCommand(rest);
    default:
      console.error(
        `usage: infra/cli.ts <test|demo|build|stack|provision|conformance|bench|train|chaos|review|tenants|jobs|workflows|corpus|llm> [...]\nunknown command: ${command ?? "(none)"}`,
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
