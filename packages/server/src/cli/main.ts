import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";
import { seedDemo, seedPopulation } from "../demo/demo.service.ts";
import { buildApp } from "../http/app.ts";
import { registerArrivalsCommand } from "./arrivals-command.ts";
import { registerImportCommand } from "./import-command.ts";
import { registerPolicyCommand } from "./policy-command.ts";
import { registerTracingCommand } from "./tracing-command.ts";
import { loadRegions } from "../regions/region-loader.ts";

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a whole number ≥ 0 / ${name} 应为非负整数`);
    return n;
  };
}

async function open() {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  return { config, db };
}

/** Migrations and the region tree: what every start needs. */
async function prepare(db: Awaited<ReturnType<typeof openDatabase>>) {
  const applied = await migrate(db);
  if (applied.length) console.log(`migrations applied: ${applied.join(", ")}`);
  const regions = await loadRegions(db);
  if (regions) console.log(`regions loaded: ${regions}`);
}

const program = new Command()
  .name("cordon")
  .description("Cordon — epidemic prevention and control command platform / 疫情防控指挥平台");

program
  .command("serve")
  .description("start the API and web UI (migrates first) / 启动服务")
  .option("--demo", "on first start, create demo users and a synthetic population / 首次启动时生成演示数据")
  .option("--demo-people <n>", "size of the demo population", int("--demo-people"), 20000)
  .action(async (opts: { demo?: boolean; demoPeople: number }) => {
    const { config, db } = await open();
    await prepare(db);
    if (opts.demo) {
      const creds = await seedDemo(db, { people: opts.demoPeople, seed: 2021, now: new Date() });
      if (creds) {
        console.log(
          `\nDemo data: ${opts.demoPeople} synthetic people (not real persons). Demo accounts / 演示账号:`,
        );
        console.table(creds);
        console.log("These passwords are shown once; change them under 修改密码 / Change password.\n");
      }
    }
    const app = await buildApp({ db, secureCookies: config.secureCookies, logger: false, codeWorker: true });
    await app.listen({ host: config.host, port: config.port });
    console.log(
      `Cordon is up: http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}/  (API docs: /docs, database: ${db.engine})`,
    );
    const stop = async () => {
      await app.close();
      await db.close();
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

program
  .command("migrate")
  .description("apply database migrations and load the region tree / 执行数据库迁移")
  .action(async () => {
    const { db } = await open();
    await prepare(db);
    await db.close();
  });

program
  .command("demo")
  .description("add a deterministic synthetic population / 生成合成人口")
  .requiredOption("--people <n>", "how many people", int("--people"))
  .option("--seed <s>", "random seed", int("--seed"), 1)
  .action(async (opts: { people: number; seed: number }) => {
    const { db } = await open();
    await prepare(db);
    const t0 = Date.now();
    const n = await seedPopulation(db, {
      count: opts.people,
      seed: opts.seed,
      now: new Date(),
      onProgress: (done) => process.stdout.write(`\r${done}/${opts.people}`),
    });
    console.log(`\n${n} synthetic people written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await db.close();
  });

registerImportCommand(program);
registerPolicyCommand(program);
registerArrivalsCommand(program);
registerTracingCommand(program);

await program.parseAsync(process.argv);
