import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";
import { systemContext } from "../http/context.ts";
import { AppError } from "../http/errors.ts";
import { importArrivals, type LineError } from "../arrivals/arrival-bulk.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { loadRegions } from "../regions/region-loader.ts";

const SHOWN = 50;

/** "file:line field [code] zh / en", one per bad line and problem. */
export function formatLineErrors(file: string, errors: readonly LineError[]): string {
  return errors
    .map(
      (e) => `${file}:${e.line}${e.field ? ` ${e.field}` : ""} [${e.code}] ${e.message.zh} / ${e.message.en}`,
    )
    .join("\n");
}

export function registerArrivalsCommand(program: Command): void {
  const arrivals = program.command("arrivals").description("arrival screening / 来返报备");
  arrivals
    .command("import")
    .description(
      "classify and register arrivals from a JSON Lines file (one POST /api/arrivals body per line, the person by personId or documentNumber); all or nothing / 批量登记来返人员（全部成功或全部不写入）",
    )
    .argument("<file>", "a .jsonl file")
    .requiredOption("--region <code>", "every destination must lie inside this region / 导入区划")
    .option("--report <path>", "write every bad line's problems here as JSON Lines / 错误报告")
    .action(async (file: string, opts: { region: string; report?: string }) => {
      const packs = loadShippedPacks();
      const lines = readFileSync(file, "utf8").split(/\r?\n/);
      const config = loadConfig();
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrate(db);
        await loadRegions(db);
        const s = await importArrivals(db, systemContext(new Date()), packs, lines, {
          regionCode: opts.region,
        });
        if (opts.report) writeFileSync(opts.report, s.errors.map((e) => JSON.stringify(e)).join("\n"));
        if (!s.stored && s.errors.length === 0) {
          console.error(`${file}: no arrivals in the file / 文件中没有来返记录`);
          process.exitCode = 1;
          return;
        }
        if (!s.stored) {
          const badLines = new Set(s.errors.map((e) => e.line)).size;
          console.error(formatLineErrors(file, s.errors.slice(0, SHOWN)));
          if (s.errors.length > SHOWN)
            console.error(`… ${s.errors.length - SHOWN} more / 另有 ${s.errors.length - SHOWN} 处`);
          console.error(
            `${badLines} of ${s.read} lines are bad: nothing was stored. Fix them and import the whole file again.\n` +
              `${s.read} 行中有 ${badLines} 行有误，未写入任何记录；修正后请重新导入整个文件。`,
          );
          process.exitCode = 1;
          return;
        }
        console.log(
          `${file}: ${s.written} arrivals registered, ${s.tasks} control tasks opened (decided ${s.decided}, no rule matched ${s.noRuleMatched}, no pack ${s.noPack}) in ${s.seconds.toFixed(1)} s`,
        );
        console.log(`已登记 ${s.written} 条来返记录，生成管控任务 ${s.tasks} 个`);
      } catch (e) {
        if (e instanceof AppError)
          console.error(`import failed / 导入失败 (${e.code}):\n${e.msg.zh}\n${e.msg.en}`);
        else
          console.error(
            `import failed, nothing stored / 导入失败，未写入任何记录: ${e instanceof Error ? e.message : String(e)}`,
          );
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
