/**
 * Every test, in the order that fails fastest: lint, types, web build, then one run of node's test
 * runner over unit, database (PGlite, and PostgreSQL when CORDON_TEST_PG_URL is set) and browser tests.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

function step(title: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n=== ${title}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
step("lint", npm, ["run", "lint"]);
step("types", npm, ["run", "typecheck"]);
step("web build", npm, ["run", "build", "-w", "@cordon/web"]);

if (!process.env.CORDON_TEST_PG_URL) {
  console.log("\nNote: CORDON_TEST_PG_URL is not set, so database tests run on PGlite only (CI runs both).");
}
const files = [
  "packages/*/src/**/*.test.ts",
  ...(existsSync("test/browser") ? ["test/browser/*.test.ts"] : []),
];
step("tests", process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files]);
