import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

const MAIN = join(import.meta.dirname, "main.ts");
const EPI = join(import.meta.dirname, "../../../../../shared/data/epi");
const ALI = join(EPI, "ali2020_xu2020/TableS1_1407TransPairs.csv");
const SKIP = "../shared/data/epi not present (a fresh clone has no shared data)";

function cordon(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, "tracing", ...args], { encoding: "utf8", cwd: tmpdir() });
}
function tempFile(name: string, text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "cordon-tracing-")), name);
  writeFileSync(file, text);
  return file;
}
const round1 = (x: number) => Math.round(x * 10) / 10;

const LINE_LIST = [
  "case_id,infector_id,onset_date,report_date,sex,age,region_code,exposure_setting,note",
  "A,,2022-03-01,2022-03-02,F,50,310104,household,first",
  "B,A,2022-03-03,,M,20,310104,household,",
  "C,A,2022-03-05,,,,,,",
  "D,A,2022-02-28,,,,,,",
  "E,A,,,,,,,",
  "F,A,,,,,,,",
  "G,B,2022-03-10,,,,,,",
  "H,H,2099-01-01,,,,,,",
].join("\n");

describe("cordon tracing analyze", () => {
  test("--json prints cases, pairs, clusters, generations, superspreaders and serial_interval of a line list; unknown columns and bad rows are reported", () => {
    const r = cordon(
      "analyze",
      "--file",
      tempFile("cases.csv", LINE_LIST),
      "--json",
      "--today",
      "2022-04-10",
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), [
      "cases",
      "pairs",
      "clusters",
      "generations",
      "superspreaders",
      "serial_interval",
      "unknown_columns",
      "issues",
    ]);
    assert.equal(j.cases, 8);
    assert.equal(j.pairs, 6);
    assert.equal(j.clusters.largest, 7);
    assert.deepEqual(j.clusters.largest_clusters, [{ size: 7, index_cases: ["A"], generations: 2 }]);
    assert.equal(j.clusters.count, 1);
    assert.deepEqual(j.clusters.sizes, [7]);
    assert.deepEqual(j.clusters.size_counts, [{ size: 7, clusters: 1 }]);
    assert.deepEqual(j.superspreaders, [{ case_id: "A", secondary_cases: 5 }]);
    assert.deepEqual(Object.keys(j.serial_interval), ["n", "mean", "sd", "negative_share"]);
    assert.equal(j.serial_interval.n, 4);
    assert.equal(j.serial_interval.mean, 3);
    assert.equal(j.serial_interval.negative_share, 0.25);
    assert.deepEqual(j.unknown_columns, ["note"]);
    assert.deepEqual(
      j.issues.map((i: { code: string; row: number | null }) => `${i.row}:${i.code}`),
      ["null:unknown_column", "8:self_infection", "8:future_date"],
    );
    assert.ok(j.issues.every((i: { message: { zh: string; en: string } }) => i.message.zh && i.message.en));
  });

  test("without --json it prints a readable summary", () => {
    const r = cordon("analyze", "--file", tempFile("cases.csv", LINE_LIST), "--today", "2022-04-10");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /clusters \/ 聚集（≥2 例）: 1/);
    assert.match(r.stdout, /super-spreaders \/ 超级传播者: A \(5\)/);
    assert.match(r.stdout, /serial interval \/ 代间隔: n=4 mean=3\.00/);
    assert.match(r.stdout, /unknown columns ignored \/ 已忽略未知列: note/);
  });

  test("bad input ends with exit code 2 and a message, never a stack trace", () => {
    const cases = [
      ["analyze", "--file", "/nonexistent/cases.csv"],
      ["analyze", "--file", tempFile("x.csv", "case_id,onset_date\nA,2022-01-01\n")],
      ["analyze", "--file", tempFile("q.csv", 'case_id,"infector_id\nA,"B\n')],
      ["analyze", "--pairs", tempFile("p.csv", "a,b\n1,2\n"), "--mapping", "from-to"],
      ["analyze", "--pairs", tempFile("p.csv", "from,to\n1,2\n"), "--mapping", "nonsense"],
      ["analyze"],
    ];
    const expected = [
      /cannot read the file/,
      /required column "infector_id" is missing/,
      /not a readable CSV file/,
      /column "from" required by mapping "from-to" is missing/,
      /unknown mapping "nonsense"/,
      /give either --file .* or --pairs/,
    ];
    cases.forEach((args, k) => {
      const r = cordon(...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}`);
      assert.match(r.stderr, expected[k]!);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
    const badOption = cordon("analyze", "--file", "x.csv", "--threshold", "zero");
    assert.notEqual(badOption.status, 0);
    assert.match(badOption.stderr, /--threshold must be a whole number/);
  });

  test("real data, Ali et al. / Xu et al.: the 1,407 pairs give 643 clusters, 34 super-spreaders and 7.8 → 2.6 days", (t) => {
    if (!existsSync(ALI)) return t.skip(SKIP);
    const all = cordon("analyze", "--pairs", ALI, "--json");
    assert.equal(all.status, 0, all.stderr);
    const j = JSON.parse(all.stdout);
    assert.equal(j.pairs, 1407);
    assert.equal(j.clusters.count, 643); // Xu et al.: "1,407 transmission pairs that formed 643 transmission clusters"
    assert.equal(j.superspreaders.length, 34); // Xu et al.: "34 primary cases identified as super-spreaders"
    const phase = (from: string, to: string) =>
      JSON.parse(
        cordon("analyze", "--pairs", ALI, "--json", "--infector-onset-from", from, "--infector-onset-to", to)
          .stdout,
      ).serial_interval;
    assert.equal(round1(phase("2020-01-09", "2020-01-22").mean), 7.8); // Ali et al.: "from 7.8 …
    assert.equal(round1(phase("2020-01-30", "2020-02-13").mean), 2.6); // … to 2.6 days"
    const whole = phase("2020-01-09", "2020-02-13");
    assert.deepEqual([whole.n, round1(whole.mean), round1(whole.sd)], [677, 5.1, 5.3]);
  });

  test("round trip on real data: convert the pairs to a line list, analyse the line list, get the same chains", (t) => {
    if (!existsSync(ALI)) return t.skip(SKIP);
    const out = join(mkdtempSync(join(tmpdir(), "cordon-tracing-")), "ali-line-list.csv");
    const conv = cordon("convert", "--pairs", ALI, "--out", out);
    assert.equal(conv.status, 0, conv.stderr);
    const fromPairs = JSON.parse(cordon("analyze", "--pairs", ALI, "--json").stdout);
    const fromList = JSON.parse(cordon("analyze", "--file", out, "--json").stdout);
    // Each infectee of Ali's table has one infector, so the line list loses no pair.
    for (const key of ["cases", "pairs", "clusters", "generations", "superspreaders"])
      assert.deepEqual(fromList[key], fromPairs[key], key);
    // The same intervals summed in another order: equal up to floating-point rounding.
    const [a, b] = [fromList.serial_interval, fromPairs.serial_interval];
    assert.deepEqual([a.n, a.negative_share], [b.n, b.negative_share]);
    assert.ok(Math.abs(a.mean - b.mean) < 1e-9 && Math.abs(a.sd - b.sd) < 1e-9);
    assert.deepEqual(fromList.unknown_columns, []);
  });
});
