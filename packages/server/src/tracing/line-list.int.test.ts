import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { analyzeChains } from "@cordon/domain/tracing/chains";
import { LINE_LIST_COLUMNS, readLineList } from "@cordon/domain/tracing/line-list";
import { parse } from "csv-parse/sync";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (Yinchuan), April 2022. A infects B at home (an exposure on A's case), B infects C (C's linked
// case is B), D infects E (linked), F has no link. O is a case of 西夏区 (640105) and P, in 兴庆区, names O
// as its source: O's id is P's infector in 兴庆区's line list, O's row is 西夏区's only.
const XINGQING = "640104";
const XIXIA = "640105";
const CHONGAN = "640104001002";
const XINGLONG = "640104001003";
const KANGZHUANG = "640105001002";
const HOUR = 3_600_000;

const csvOf = (header: readonly string[], rows: string[][]) =>
  [header.join(","), ...rows.map((r) => r.join(","))].join("\n") + "\n";

/** The figures GET /api/tracing/analysis and the file's analysis share (issues aside). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
const figures = (a: any) => ({
  cases: a.cases,
  pairs: a.pairs,
  clusters: {
    count: a.clusters.count,
    isolatedCases: a.clusters.isolatedCases,
    sizes: a.clusters.sizes,
    largest: a.clusters.largest.map((k: { size: number; generations: number; indexCaseCount: number }) => ({
      size: k.size,
      generations: k.generations,
      indexCaseCount: k.indexCaseCount,
    })),
  },
  generations: a.generations,
  superspreaders: a.superspreaders.map((s: { caseId: string; secondaryCases: number }) => ({
    caseId: s.caseId,
    secondaryCases: s.secondaryCases,
  })),
  serialInterval: a.serialInterval,
});

interface RawResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
  json: () => any;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}

for (const engine of testEngines()) {
  describe(`case line lists in and out through the API (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2022-04-10T10:00:00+08:00");
    let admin: string;
    let investigator: string;
    let xixia: string;
    let lab: string;
    let seq = 300;
    const ids: Record<string, string> = {};
    const people: Record<string, string> = {};

    /** The test app's call, with the raw body and headers (the export is no JSON). */
    const call = (...args: Parameters<TestApp["call"]>) => t.call(...args) as Promise<RawResponse>;
    const person = async (key: string, name: string, community = CHONGAN) => {
      const r = await call(admin, "POST", "/api/people", personPayload(community, seq++, { name }));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      people[key] = r.json().id;
    };
    const makeCase = async (key: string, onsetDate: string | null, linkedTo?: string) => {
      const r = await call(admin, "POST", "/api/tracing/cases", {
        personId: people[key],
        classification: "confirmed_mild",
        foundBy: "fever_clinic",
        source: linkedTo ? "linked" : "local",
        linkedCaseId: linkedTo ? ids[linkedTo] : null,
        onsetDate,
        ...(onsetDate === null ? { samplingDate: "2022-04-09" } : {}),
        confirmedAt: new Date(clock.getTime() - HOUR).toISOString(),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      ids[key] = r.json().id;
    };
    const expose = async (source: string, exposed: string, at: string, setting = "household") => {
      const r = await call(admin, "POST", `/api/tracing/cases/${ids[source]}/exposures`, {
        exposedPersonId: people[exposed],
        at,
        durationMinutes: 60,
        setting,
        proximity: "within_1m",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
    };
    const recompute = async () => {
      const r = await call(admin, "POST", "/api/tracing/chains/recompute");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
    };
    const exportCsv = async (who: string) => {
      const r = await call(who, "GET", "/api/tracing/line-list.csv");
      assert.equal(r.status, 200, r.body);
      return r;
    };
    const rowsOf = (text: string) => {
      const records = parse(text, { bom: true }) as string[][];
      return { header: records[0]!, rows: records.slice(1) };
    };
    const analyze = (who: string, csv: string, query = "") =>
      call(who, "POST", `/api/tracing/line-list/analyze${query}`, csv, { "content-type": "text/csv" });

    before(async () => {
      t = await testApp(engine, () => clock);
      admin = await t.userSession("administrator", "000000");
      investigator = await t.userSession("investigator", XINGQING);
      xixia = await t.userSession("investigator", XIXIA);
      lab = await t.userSession("lab", XINGQING);
      await person("A", "赵建国");
      await person("B", "赵秀兰");
      await person("C", "欧阳春晓", XINGLONG);
      await person("D", "钱文华");
      await person("E", "钱小雨");
      await person("F", "孙立新");
      await person("O", "吴晓峰", KANGZHUANG);
      await person("P", "郑丽", XINGLONG);
      await makeCase("A", "2022-04-01");
      await expose("A", "B", "2022-04-01T19:00:00+08:00");
      await makeCase("B", "2022-04-04");
      await makeCase("C", "2022-04-08", "B");
      await makeCase("D", "2022-04-02");
      await makeCase("E", "2022-04-03", "D");
      await makeCase("F", null);
      await makeCase("O", "2022-04-03");
      await makeCase("P", "2022-04-06", "O");
      await recompute();
    });
    after(() => t.close());

    test("the export is the documented line list; read back and analysed it gives the figures of GET /api/tracing/analysis", async () => {
      const r = await exportCsv(investigator);
      assert.equal(r.headers["content-type"], "text/csv; charset=utf-8");
      assert.equal(
        r.headers["content-disposition"],
        'attachment; filename="line-list-640104-2022-04-10.csv"',
      );
      assert.ok(r.body.startsWith("\uFEFFcase_id,infector_id,"), "UTF-8 with a BOM, as the other CSVs");
      const { header, rows } = rowsOf(r.body);
      assert.deepEqual(header, [...LINE_LIST_COLUMNS]);
      const byId = new Map(rows.map((row) => [row[0]!, row]));
      assert.deepEqual(
        [...byId.keys()].sort(),
        ["A", "B", "C", "D", "E", "F", "P"].map((k) => ids[k]).sort(),
        "兴庆区's seven cases, not 西夏区's O",
      );
      const sexes = await t.db.query<{ id: string; sex: string }>(
        "SELECT id, sex FROM persons WHERE id = ANY($1::uuid[])",
        [[people.B, people.C]],
      );
      const sexOf = (key: string) =>
        sexes.rows.find((s) => s.id === people[key])!.sex === "male" ? "M" : "F";
      // B: infected by A at home; born 1990-03-08 (personPayload), so 32 on the report date 2022-04-10.
      assert.deepEqual(byId.get(ids.B!), [
        ids.B,
        ids.A,
        "2022-04-04",
        "2022-04-10",
        sexOf("B"),
        "32",
        CHONGAN,
        "household",
      ]);
      // C: its linked case B, no exposure behind the link; F: no onset, no infector.
      assert.deepEqual(byId.get(ids.C!)!.slice(1, 4), [ids.B, "2022-04-08", "2022-04-10"]);
      assert.equal(byId.get(ids.C!)![6], XINGLONG);
      assert.equal(byId.get(ids.C!)![7], "");
      assert.deepEqual(byId.get(ids.F!)!.slice(1, 3), ["", ""]);
      // P's infector is O, outside the jurisdiction: by its id only.
      assert.equal(byId.get(ids.P!)![1], ids.O);

      const db = await call(investigator, "GET", "/api/tracing/analysis");
      assert.equal(db.status, 200, JSON.stringify(db.json()));
      assert.equal(db.json().cases, 7);
      assert.equal(db.json().pairs, 3);

      // Through the domain, as `cordon tracing analyze --file` reads it.
      const read = readLineList(header, rows, { today: "2022-04-10" });
      assert.equal(read.ok, true);
      assert.deepEqual(read.unknownColumns, []);
      assert.deepEqual(
        read.issues.map((i) => [i.code, i.caseId]),
        [["infector_not_in_list", ids.P]],
      );
      const a = analyzeChains(read.cases, { superspreaderThreshold: db.json().superspreaderThreshold });
      assert.deepEqual(
        figures({
          ...a,
          clusters: {
            ...a.clusters,
            largest: a.clusters.largest.map((k) => ({ ...k, indexCaseCount: k.indexCases.length })),
          },
        }),
        figures(db.json()),
      );

      // Through the upload.
      const up = await analyze(investigator, r.body);
      assert.equal(up.status, 200, JSON.stringify(up.json()));
      assert.deepEqual(figures(up.json()), figures(db.json()));
      assert.equal(up.json().rows, 7);
      assert.equal(up.json().superspreaderThreshold, db.json().superspreaderThreshold);
      assert.deepEqual(
        up.json().issues.map((i: { code: string; row: number | null }) => [i.code, i.row]),
        [["infector_not_in_list", rows.findIndex((row) => row[0] === ids.P) + 1]],
        "the missing infector reported once, with its row",
      );
      assert.equal(up.json().clusters.largest[0].indexCases[0].caseId, ids.A);

      const audit = await t.db.query<{ after: { cases: number; withInfector: number } }>(
        `SELECT after FROM audit_log WHERE action = 'tracing.line_list_export' ORDER BY at DESC`,
      );
      assert.equal(audit.rows.length, 1, "the export of personal data is audited");
      assert.equal(audit.rows[0]!.after.cases, 7);
      assert.equal(audit.rows[0]!.after.withInfector, 4);
    });

    test("the export covers the caller's jurisdiction only, and needs tracing.view", async () => {
      const { rows } = rowsOf((await exportCsv(xixia)).body);
      assert.deepEqual(
        rows.map((r) => r[0]),
        [ids.O],
      );
      assert.equal(rows[0]![6], KANGZHUANG);
      const whole = rowsOf((await exportCsv(admin)).body).rows;
      assert.equal(whole.length, 8);
      const refused = await call(lab, "GET", "/api/tracing/line-list.csv");
      assert.equal(refused.status, 403);
      assert.equal((await analyze(lab, csvOf(LINE_LIST_COLUMNS, []))).status, 403);
    });

    test("a case with two infectors keeps its own stated source; the other's exposure is not its setting", async () => {
      // G's linked case is D; A also exposed G at dinner. The database counts both links.
      await person("G", "李明");
      await expose("A", "G", "2022-04-02T18:00:00+08:00", "dining");
      await makeCase("G", "2022-04-05", "D");
      await recompute();
      const { rows } = rowsOf((await exportCsv(investigator)).body);
      const g = rows.find((r) => r[0] === ids.G)!;
      assert.equal(g[1], ids.D);
      assert.equal(g[7], "");
      const audit = await t.db.query<{ after: { extraInfectors: number } }>(
        `SELECT after FROM audit_log WHERE action = 'tracing.line_list_export' ORDER BY at DESC, id DESC LIMIT 1`,
      );
      assert.equal(audit.rows[0]!.after.extraInfectors, 1);
    });

    test("an uploaded file: the unknown column is reported and ignored, a cycle and a future date are flagged, bad rows named by row; nothing is stored", async () => {
      const before = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracing_cases");
      const csv = csvOf(
        [...LINE_LIST_COLUMNS, "notes"],
        [
          ["X1", "", "2022-03-01", "2022-03-03", "F", "40", "640104", "", "index"],
          ["X2", "X1", "2022-03-04", "", "M", "12", "640104", "household", ""],
          ["X3", "X1", "2022-03-06", "", "male", "", "", "household", ""],
          ["Y1", "Y2", "2022-03-04", "", "", "", "", "", "named each other"],
          ["Y2", "Y1", "2022-03-05", "", "", "", "", "", ""],
          ["Z1", "", "2022-05-01", "", "x", "200", "", "", "onset in the future"],
          ["", "X1", "", "", "", "", "", "", "no id"],
        ],
      );
      const r = await analyze(investigator, csv);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const a = r.json();
      assert.deepEqual(a.unknownColumns, ["notes"]);
      assert.equal(a.rows, 7);
      assert.equal(a.cases, 6);
      assert.equal(a.pairs, 4);
      assert.equal(a.clusters.count, 2);
      assert.equal(a.clusters.isolatedCases, 1);
      assert.equal(a.generations.inCycles, 2);
      assert.equal(a.generations.withoutGeneration, 2);
      assert.deepEqual(a.serialInterval.n, 4);
      const found = a.issues.map((i: { code: string; row: number | null; field: string | null }) => [
        i.code,
        i.row,
        i.field,
      ]);
      assert.deepEqual(found, [
        ["unknown_column", null, "notes"],
        ["future_date", 6, "onset_date"],
        ["bad_sex", 6, "sex"],
        ["bad_age", 6, "age"],
        ["missing_case_id", 7, "case_id"],
        ["infector_cycle", 5, "infector_id"],
      ]);
      assert.equal(a.issuesTotal, 6);
      const cycle = a.issues.find((i: { code: string }) => i.code === "infector_cycle");
      assert.match(cycle.message.zh, /Y1 → Y2 → Y1|Y2 → Y1 → Y2/);
      assert.match(cycle.message.en, /cycle/);
      const after = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracing_cases");
      assert.equal(after.rows[0]!.n, before.rows[0]!.n);
      // The options of the command: the largest clusters, the infector-onset window.
      const w = await analyze(investigator, csv, "?largest=1&infectorOnsetFrom=2022-03-02");
      assert.equal(w.status, 200, JSON.stringify(w.json()));
      assert.equal(w.json().clusters.largest.length, 1);
      assert.equal(w.json().serialInterval.n, 2, "X1 fell ill before the window");
    });

    test("a file that is no line list is refused with 400, in Chinese and English", async () => {
      const assertRefused = async (body: string, pattern: RegExp) => {
        const zh = await analyze(investigator, body);
        assert.equal(zh.status, 400, zh.body);
        assert.equal(zh.json().error.code, "tracing.not_a_line_list");
        assert.match(zh.json().error.message, /不是病例一览表|病例一览表/);
        const en = await analyze(investigator, body, "?lang=en");
        assert.equal(en.status, 400);
        assert.match(en.json().error.message, pattern);
        return en.json();
      };
      const noCaseId = await assertRefused("姓名,证件号码\n张三,640104199003081234\n", /case_id/);
      assert.ok(noCaseId.error.fields.some((f: { field: string }) => f.field === "case_id"));
      await assertRefused("", /empty|CSV/);
      // A PNG's first bytes (the helper sends a string as it is).
      await assertRefused("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", /not a CSV text file/);
      const json = await call(investigator, "POST", "/api/tracing/line-list/analyze", { case_id: "A" });
      assert.equal(json.status, 400, "a JSON body is no CSV file");
    });
  });
}
