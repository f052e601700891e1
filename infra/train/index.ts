/**
 * `npm run train -- <model> [options]`: trains a model shipped with Sluice and writes its versioned
 * artifact. Models: `classifier` (the document-type classifier of the `classify` step).
 */
export async function trainCommand(argv: readonly string[]): Promise<number> {
  const [model, ...rest] = argv;
  switch (model) {
    case "classifier":
      return (await import("./classifier.ts")).trainClassifierCommand(rest);
    case undefined:
    case "--help":
    case "-h":
      console.error(
        "usage: npm run train -- classifier [--n N] [--seed S] [--out DIR]\n\n" +
          "  classifier   document-type classifier (workers/ai/classify); writes DIR/v<version>.json",
      );
      return model === undefined ? 2 : 0;
    default:
      console.error(`npm run train: unknown model ${model} (known: classifier)`);
      return 2;
  }
}
