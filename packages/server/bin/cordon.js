#!/usr/bin/env node
// Runs the CLI on the project's pinned Node (the npm package "node"), whatever node started this shim.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
let nodeBin = process.execPath;
try {
  nodeBin = join(dirname(require.resolve("node/package.json")), "bin", "node");
} catch {
  // The pinned Node is not installed (e.g. a global install): use the Node that started this shim.
}
const r = spawnSync(nodeBin, [join(here, "..", "src", "cli", "main.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
