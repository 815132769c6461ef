import { readFileSync, writeFileSync } from "node:fs";
import { shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import { analyzeChains, type ChainAnalysis, type ChainOptions } from "@cordon/domain/tracing/chains";
import {
  isCalendarDate,
  lineListToCsv,
  readLineList,
  type CaseRecord,
  type TracingIssue,
} from "@cordon/domain/tracing/line-list";
import {
  PAIR_MAPPINGS,
  pairsToLineList,
  type PairMapping,
  type TransmissionLink,
} from "@cordon/domain/tracing/pairs";
import { type Command, InvalidArgumentError } from "commander";
import { parse } from "csv-parse/sync";

/** Bad input the user can fix: printed as a message (no stack trace), exit code 2. */
class InputError extends Error {}

function wholeNumber(name: string, min: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(
        `${name} must be a whole number ≥ ${min} / ${name} 应为不小于 ${min} 的整数`,
      );
    return n;
  };
}

function date(name: string) {
  return (v: string) => {
    if (!isCalendarDate(v))
      throw new InvalidArgumentError(`${name} must be a date YYYY-MM-DD / ${name} 应为 YYYY-MM-DD 日期`);
    return v;
  };
}

function readCsv(path: string): { header: string[]; rows: string[][] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(
      `${path}: cannot read the file / 无法读取文件 (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new InputError(`${path}: not a readable CSV file / 不是有效的 CSV 文件: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new InputError(`${path}: the file is empty / 文件为空`);
  return { header: records[0] ?? [], rows: records.slice(1) };
}

function mappingOf(name: string): PairMapping {
  const builtin = PAIR_MAPPINGS[name];
  if (builtin) return builtin;
  if (!name.endsWith(".json"))
    throw new InputError(
      `unknown mapping "${name}": use ${Object.keys(PAIR_MAPPINGS).join(", ")} or a .json file / 未知的列映射`,
    );
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(name, "utf8"));
  } catch (e) {
    throw new InputError(`${name}: not a readable JSON mapping / 列映射文件无效: ${(e as Error).message}`);
  }
  const side = (s: unknown) =>
    typeof s === "object" && s !== null && typeof (s as { id?: unknown }).id === "string";
  const o = m as Partial<PairMapping>;
  if (!side(o.infector) || !side(o.infectee))
    throw new InputError(
      `${name}: a mapping needs infector.id and infectee.id / 列映射须给出 infector.id 与 infectee.id`,
    );
  return { ...o, name } as PairMapping;
}

interface Loaded {
  cases: CaseRecord[];
  links?: TransmissionLink[];
  issues: TracingIssue[];
  unknownColumns: string[];
}

function load(opts: { file?: string; pairs?: string; mapping: string; today: string }): Loaded {
  if ((opts.file === undefined) === (opts.pairs === undefined))
    throw new InputError(
      "give either --file (a line list) or --pairs (a pairs table) / 请给出 --file 或 --pairs 之一",
    );
  if (opts.file !== undefined) {
    const { header, rows } = readCsv(opts.file);
    const r = readLineList(header, rows, { today: opts.today });
    if (!r.ok)
      throw new InputError(`${opts.file}: not a line list / 不是病例线性名单\n${formatIssues(r.issues)}`);
    return r;
  }
  const path = opts.pairs as string;
  const mapping = mappingOf(opts.mapping);
  const { header, rows } = readCsv(path);
  const r = pairsToLineList(header, rows, mapping, { today: opts.today });
  if (!r.ok)
    throw new InputError(
      `${path}: not a pairs table for mapping "${mapping.name}" / 列映射不匹配\n${formatIssues(r.issues)}`,
    );
  return r;
}

function formatIssues(issues: readonly TracingIssue[]): string {
  return issues
    .map(
      (i) =>
        `  ${i.severity}${i.row !== null ? ` row ${i.row}` : ""}${i.field ? ` ${i.field}` : ""} [${i.code}] ${i.message.zh} / ${i.message.en}`,
    )
    .join("\n");
}

/** The JSON of `tracing analyze --json` (issue 6 item 6; snake_case keys; docs/capabilities/tracing.md). */
export function analysisJson(a: ChainAnalysis, loaded: { issues: TracingIssue[]; unknownColumns: string[] }) {
  return {
    cases: a.cases,
    pairs: a.pairs,
    clusters: {
      count: a.clusters.count,
      // The issue's three figures: how many clusters, the size of the largest, every cluster's size.
      largest: a.clusters.sizes.reduce((m, s) => Math.max(m, s.size), 0),
      sizes: a.clusters.sizes
        .flatMap((s) => Array.from({ length: s.clusters }, () => s.size))
        .sort((x, y) => y - x),
      size_counts: a.clusters.sizes,
      largest_clusters: a.clusters.largest.map((c) => ({
        size: c.size,
        index_cases: c.indexCases,
        generations: c.generations,
      })),
      isolated_cases: a.clusters.isolatedCases,
    },
    generations: {
      counts: a.generations.counts,
      max: a.generations.max,
      in_cycles: a.generations.inCycles,
      without_generation: a.generations.withoutGeneration,
    },
    superspreaders: a.superspreaders.map((s) => ({ case_id: s.caseId, secondary_cases: s.secondaryCases })),
    serial_interval: {
      n: a.serialInterval.n,
      mean: a.serialInterval.mean,
      sd: a.serialInterval.sd,
      negative_share: a.serialInterval.negativeShare,
    },
    unknown_columns: loaded.unknownColumns,
    issues: [...loaded.issues, ...a.issues].map((i) => ({
      severity: i.severity,
      code: i.code,
      row: i.row,
      field: i.field,
      case_id: i.caseId,
      message: i.message,
    })),
  };
}

const fixed = (x: number | null, d: number) => (x === null ? "—" : x.toFixed(d));
const SHOWN = 20;

function humanReport(a: ChainAnalysis, issues: readonly TracingIssue[], unknownColumns: string[]): string {
  const si = a.serialInterval;
  const out = [
    `cases / 病例: ${a.cases}    pairs / 传播关系: ${a.pairs}`,
    `clusters / 聚集（≥2 例）: ${a.clusters.count}    isolated cases / 散发: ${a.clusters.isolatedCases}`,
    `cluster sizes / 规模分布: ${a.clusters.sizes.map((s) => `${s.size}×${s.clusters}`).join(" ")}`,
    `largest clusters / 最大聚集:`,
    ...a.clusters.largest.map(
      (c) =>
        `  ${c.size} cases, ${c.generations} generations, index ${c.indexCases.slice(0, 5).join(", ")}${c.indexCases.length > 5 ? ", …" : ""}`,
    ),
    `generations / 代际: ${a.generations.counts.map((g) => `${g.generation}:${g.cases}`).join(" ")}${a.generations.inCycles ? `    on or after a cycle / 成环: ${a.generations.inCycles}, without generation / 无代际: ${a.generations.withoutGeneration}` : ""}`,
    `super-spreaders / 超级传播者: ${a.superspreaders.map((s) => `${s.caseId} (${s.secondaryCases})`).join(", ") || "none / 无"}`,
    `serial interval / 代间隔: n=${si.n} mean=${fixed(si.mean, 2)} sd=${fixed(si.sd, 2)} negative=${si.negativeShare === null ? "—" : `${(si.negativeShare * 100).toFixed(1)}%`}`,
  ];
  if (unknownColumns.length) out.push(`unknown columns ignored / 已忽略未知列: ${unknownColumns.join(", ")}`);
  if (issues.length) {
    const errors = issues.filter((i) => i.severity === "error").length;
    out.push(`issues / 问题: ${errors} errors, ${issues.length - errors} flags`);
    out.push(formatIssues(issues.slice(0, SHOWN)));
    if (issues.length > SHOWN)
      out.push(`  … ${issues.length - SHOWN} more (see --json) / 另有 ${issues.length - SHOWN} 处`);
  }
  return out.join("\n");
}

interface AnalyzeOptions {
  file?: string;
  pairs?: string;
  mapping: string;
  json?: boolean;
  threshold: number;
  lookBack: number;
  largest: number;
  infectorOnsetFrom?: string;
  infectorOnsetTo?: string;
  today?: string;
}

export function registerTracingCommand(program: Command): void {
  const tracing = program
    .command("tracing")
    .description("case investigation and transmission chains / 流调与传播链");
  tracing
    .command("analyze")
    .description(
      "clusters, generations, super-spreaders and serial intervals of a case line list or a pairs table, without the database / 传播链分析（不读写数据库）",
    )
    .option("--file <csv>", "a case line list (docs/capabilities/tracing.md)")
    .option("--pairs <csv>", "an infector → infectee pairs table, read with --mapping")
    .option(
      "--mapping <name|file.json>",
      "column mapping of --pairs: ali2020, from-to or a JSON file",
      "ali2020",
    )
    .option("--json", "print the analysis as JSON")
    .option("--threshold <n>", "super-spreader: at least n secondary cases", wholeNumber("--threshold", 1), 5)
    .option(
      "--look-back <days>",
      "close-contact look-back before the source's onset",
      wholeNumber("--look-back", 0),
      4,
    )
    .option("--largest <n>", "how many of the largest clusters to list", wholeNumber("--largest", 0), 5)
    .option(
      "--infector-onset-from <date>",
      "serial intervals only for infectors with onset on or after",
      date("--infector-onset-from"),
    )
    .option(
      "--infector-onset-to <date>",
      "serial intervals only for infectors with onset on or before",
      date("--infector-onset-to"),
    )
    .option(
      "--today <date>",
      "today's date for the future-date check (default: today, Beijing)",
      date("--today"),
    )
    .action((opts: AnalyzeOptions) => {
      const today = opts.today ?? shanghaiDateOf(Date.now());
      let loaded: Loaded;
      try {
        loaded = load({ ...opts, today });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        console.error(e.message);
        process.exitCode = 2;
        return;
      }
      const options: ChainOptions = {
        superspreaderThreshold: opts.threshold,
        lookBackDays: opts.lookBack,
        largestClusters: opts.largest,
        infectorOnsetFrom: opts.infectorOnsetFrom,
        infectorOnsetTo: opts.infectorOnsetTo,
      };
      const a = analyzeChains(loaded.cases, options, loaded.links);
      if (opts.json) console.log(JSON.stringify(analysisJson(a, loaded), null, 2));
      else console.log(humanReport(a, [...loaded.issues, ...a.issues], loaded.unknownColumns));
    });

  tracing
    .command("convert")
    .description("write a pairs table as a case line list CSV / 将传播关系表转换为病例线性名单")
    .requiredOption("--pairs <csv>", "an infector → infectee pairs table")
    .option("--mapping <name|file.json>", "column mapping: ali2020, from-to or a JSON file", "ali2020")
    .option("--out <csv>", "write the line list here instead of standard output")
    .option(
      "--today <date>",
      "today's date for the future-date check (default: today, Beijing)",
      date("--today"),
    )
    .action((opts: { pairs: string; mapping: string; out?: string; today?: string }) => {
      let loaded: Loaded;
      try {
        loaded = load({
          pairs: opts.pairs,
          mapping: opts.mapping,
          today: opts.today ?? shanghaiDateOf(Date.now()),
        });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        console.error(e.message);
        process.exitCode = 2;
        return;
      }
      const csv = lineListToCsv(loaded.cases);
      if (opts.out) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
      if (loaded.issues.length)
        console.error(
          `${loaded.issues.length} issues / 问题:\n${formatIssues(loaded.issues.slice(0, SHOWN))}`,
        );
    });
}
