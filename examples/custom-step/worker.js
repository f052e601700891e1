// A worker that runs Sluice's steps and this project's: `npm run worker` (with the settings of your
// stack in the environment: MONGO_URL, AWS_ENDPOINT_URL, ...). SIGTERM / SIGINT stop it gracefully.
// Without code, the same worker is `SLUICE_STEPS=./steps/index.js SLUICE_WORKFLOWS_DIR=./workflows
// node node_modules/sluice/dist/workers/main.js`.
import { fileURLToPath } from "node:url";
import { startWorker } from "sluice";
import { wordCount } from "./steps/word-count.js";

const worker = await startWorker({
  steps: [wordCount],
  workflowsDir: fileURLToPath(new URL("./workflows", import.meta.url)),
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
