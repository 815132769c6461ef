import { dirname, join, parse as parsePath } from "node:path";
import { parseColumnMap } from "@cordon/domain/people/import-row";
import cliProgress from "cli-progress";
import { type Command, InvalidArgumentError } from "commander";
import { toActor } from "../accounts/auth.service.ts";
import { findUserByUsername } from "../accounts/user.repository.ts";
import { loadConfig } from "../config.ts";
import { type Db, openDatabase } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";
import { type RequestContext, systemContext } from "../http/context.ts";
import { AppError } from "../http/errors.ts";
import {
  fileSource,
  type ImportProgress,
  importPeople,
  type RejectionReport,
  rejectionReport,
} from "../people/person-import.ts";
import { loadRegions } from "../regions/region-loader.ts";

interface ImportPeopleOptions {
  map?: string;
  region?: string;
  report?: string;
  as?: string;
  batchSize: number;
}

/** The user the import acts as: `--as USERNAME`, or the system as administrator of the whole country. */
async function contextFor(db: Db, username: string | undefined): Promise<RequestContext> {
  const ctx = systemContext(new Date());
  if (!username) return ctx;
  const u = await findUserByUsername(db, username);
  if (!u || u.disabled) {
    throw new AppError(404, "user.unknown", {
      zh: `用户 ${username} 不存在或已停用`,
      en: `User ${username} does not exist or is disabled`,
    });
  }
  return { ...ctx, actor: toActor(u) };
}

/** Progress on stderr: a bar on a terminal, a line every few seconds otherwise (logs, CI). */
function progressReporter(totalBytes: number) {
  const started = Date.now();
  const rate = (p: ImportProgress) => Math.round(p.read / Math.max((Date.now() - started) / 1000, 0.001));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          "{bar} {percentage}% | {rows} rows | {rate} rows/s | written {written} unchanged {unchanged} rejected {rejected} | ETA {eta_formatted}",
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalBytes, 0, { rows: 0, rate: 0, written: 0, unchanged: 0, rejected: 0 });
    return {
      update: (p: ImportProgress) =>
        bar.update(p.bytesRead, {
          rows: p.read,
          rate: rate(p),
          written: p.written,
          unchanged: p.unchanged,
          rejected: p.rejected,
        }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: ImportProgress) {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const pct = totalBytes ? ` (${Math.floor((100 * p.bytesRead) / totalBytes)}%)` : "";
      process.stderr.write(
        `import: ${p.read} rows read${pct}, ${rate(p)} rows/s; written ${p.written}, unchanged ${p.unchanged}, rejected ${p.rejected}\n`,
      );
    },
    stop() {},
  };
}

export function registerImportCommand(program: Command): void {
  const imp = program.command("import").description("import records from a file / 从文件导入");
  imp
    .command("people")
    .description(
      "import people from a CSV (UTF-8/GB18030) or XLSX file with a header row; rejected rows go to a report / 从 CSV 或 XLSX 导入人员",
    )
    .argument("<file>", "a .csv or .xlsx file")
    .option("--map <target=Source,...>", "map fields to headers, e.g. name=姓名,phone=电话 / 列映射")
    .option(
      "--region <code>",
      "the region the file comes from: every row must lie inside it; rows without a region get it / 导入区划",
    )
    .option("--report <path>", "where to write the rejected rows (default FILE.rejected.csv) / 错误报告")
    .option(
      "--as <username>",
      "act as this user (default: the system, administrator of the whole country) / 以该用户身份导入",
    )
    .option(
      "--batch-size <n>",
      "rows per transaction",
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new InvalidArgumentError("--batch-size must be a whole number ≥ 1 / 应为正整数");
        return n;
      },
      10_000,
    )
    .action(async (file: string, opts: ImportPeopleOptions) => {
      const map = opts.map ? parseColumnMap(opts.map) : { ok: true as const, value: {} };
      if (!map.ok) {
        console.error(`${map.error.zh}\n${map.error.en}`);
        process.exitCode = 1;
        return;
      }
      const config = loadConfig();
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const reportPath = opts.report ?? join(dirname(file), `${parsePath(file).name}.rejected.csv`);
      let report: RejectionReport | null = null;
      let progress: ReturnType<typeof progressReporter> | null = null;
      try {
        await migrate(db);
        await loadRegions(db);
        const ctx = await contextFor(db, opts.as);
        const source = fileSource(file);
        progress = progressReporter(source.size ?? 0);
        const s = await importPeople(db, ctx, source, {
          map: map.value,
          ...(opts.region ? { regionCode: opts.region } : {}),
          batchSize: opts.batchSize,
          // The report is opened once the header is understood: a file refused as a whole leaves none.
          onHeader: (h) => {
            report = rejectionReport(reportPath);
            report.onHeader(h);
          },
          onRejected: (row) => report!.onRejected(row),
          onProgress: (p) => progress!.update(p),
        });
        progress.stop();
        await report!.close();
        console.log(
          `${s.file} (${s.format}${s.encoding ? `, ${s.encoding}` : ""}): read ${s.read} / written ${s.written} / unchanged ${s.unchanged} / rejected ${s.rejected}` +
            ` in ${s.seconds.toFixed(1)} s, ${Math.round(s.rowsPerSecond)} rows/s`,
        );
        console.log(`读取 ${s.read} 行：新登记 ${s.written}，已登记未变 ${s.unchanged}，拒绝 ${s.rejected}`);
        if (s.rejected) console.log(`rejected rows / 被拒绝的行: ${reportPath}`);
      } catch (e) {
        progress?.stop();
        await (report as RejectionReport | null)?.close().catch(() => {});
        if (e instanceof AppError) {
          console.error(`import failed / 导入失败 (${e.code}):\n${e.msg.zh}\n${e.msg.en}`);
        } else {
          // Batches committed before the failure stay; importing the file again skips them as unchanged.
          console.error(
            `import failed / 导入失败: ${e instanceof Error ? e.message : String(e)}\n` +
              "已写入的批次保留，修正后重新导入同一文件即可（已登记的行不会重复）。\n" +
              "Batches written before the failure stay; importing the same file again is safe (registered rows are unchanged).",
          );
        }
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}
