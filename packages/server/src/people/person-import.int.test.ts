import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Role } from "@cordon/domain/accounts/roles";
import { makeResidentId } from "@cordon/domain/people/resident-id";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { v7 as uuidv7 } from "uuid";
import type { Db } from "../db/db.ts";
import type { RequestContext } from "../http/context.ts";
import { AppError } from "../http/errors.ts";
import { testEngines, freshDb } from "../testing/test-db.ts";
import {
  CsvSplitter,
  fileSource,
  type ImportOptions,
  importPeople,
  type RejectedRow,
  rejectionReport,
  sniffFormat,
} from "./person-import.ts";

// A grid worker of Xingqing district (640104) imports the list a community (崇安社区, 640104001002) sent.
const COMMUNITY = "640104001002";
const OTHER_COMMUNITY = "640104002001"; // 文艺社区, also in Xingqing
const OUTSIDE = "530302001001"; // 潇湘社区, Qilin district, Yunnan: not theirs
const NOW = new Date("2026-11-22T02:00:00Z");

function ctxOf(role: Role, jurisdiction: string): RequestContext {
  return {
    actor: {
      userId: uuidv7(),
      username: `${role}-test`,
      displayName: role,
      role,
      jurisdiction,
      personId: null,
    },
    ip: "test",
    lang: "zh-CN",
    now: NOW,
  };
}

const HEADER = ["姓名", "证件类型", "证件号码", "出生日期", "性别", "国籍", "手机号", "现住地区划", "现住址"];

/** The community's list: three good rows, then a bad check digit, a bad phone, a region elsewhere, a repeat. */
function communityRows(seq: number): string[][] {
  const id = (n: number) => makeResidentId("640104", "1990-03-08", seq + n);
  const badCheck = id(3).slice(0, 17) + (id(3)[17] === "1" ? "2" : "1");
  return [
    ["马晓燕", "居民身份证", id(0), "", "女", "", "13809511234", COMMUNITY, "胜利街12号3单元501"],
    ["张伟", "", id(1), "1990-03-08", "", "", "138 0951 1235", COMMUNITY, "胜利街12号3单元502"],
    [
      "John Smith",
      "护照",
      `E${seq}123`,
      "1980-01-02",
      "男",
      "USA",
      "+86 13809511236",
      COMMUNITY,
      "胜利街14号",
    ],
    ["李强", "身份证", badCheck, "", "", "", "13809511237", COMMUNITY, "胜利街15号"],
    ["王芳", "", id(4), "", "", "", "1380951", COMMUNITY, "胜利街16号"],
    ["赵敏", "", id(5), "", "", "", "13809511239", OUTSIDE, "潇湘路1号"],
    ["马小燕", "", id(0), "", "", "", "13809511240", COMMUNITY, "胜利街17号"],
  ];
}

/** What the report of `communityRows` says: spreadsheet row (header is row 1) → reason code. */
const EXPECTED_REJECTIONS = [
  [5, "id_number.check_digit"],
  [6, "phone.format"],
  [7, "outside_jurisdiction"],
  [8, "document_number.duplicate_in_file"],
];

function csvText(rows: string[][], header = HEADER): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

async function count(db: Db, table: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
}

for (const engine of testEngines()) {
  describe(`importing people from a file (${engine})`, () => {
    let db: Db;
    let dir: string;
    const grid = ctxOf("grid_worker", "640104");

    before(async () => {
      db = await freshDb(engine);
      dir = mkdtempSync(join(tmpdir(), "cordon-import-"));
    });
    after(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Imports a file as `ctx`, with the report written where the CLI writes it; returns summary and report rows. */
    async function run(file: string, ctx = grid, options: ImportOptions = {}) {
      const reportPath = `${file}.rejected.csv`;
      const report = rejectionReport(reportPath);
      const rejected: RejectedRow[] = [];
      const summary = await importPeople(db, ctx, fileSource(file), {
        ...options,
        onHeader: (h) => report.onHeader(h),
        onRejected: (r) => {
          rejected.push(r);
          return report.onRejected(r);
        },
      });
      await report.close();
      const lines: string[][] = parse(readFileSync(reportPath, "utf8"), { bom: true });
      return { summary, rejected, report: lines };
    }

    test("a community's list: good rows are registered, each bad row is reported with its reason", async () => {
      const file = join(dir, "崇安社区.csv");
      writeFileSync(file, csvText(communityRows(100)));
      const { summary, rejected, report } = await run(file);
      assert.deepEqual(
        {
          read: summary.read,
          written: summary.written,
          unchanged: summary.unchanged,
          rejected: summary.rejected,
        },
        { read: 7, written: 3, unchanged: 0, rejected: 4 },
      );
      assert.deepEqual(
        rejected.map((r) => [r.row, r.errors.map((e) => e.code).join(" ")]),
        EXPECTED_REJECTIONS,
      );
      const dup = rejected.find((r) => r.row === 8)!.errors[0]!;
      assert.match(dup.message.zh, /第 2 行/);
      assert.match(dup.message.en, /row 2/);
      assert.match(rejected.find((r) => r.row === 7)!.errors[0]!.message.zh, /530302001001.*管辖范围/);

      // The report: a header, then per problem the row, the row's own cells, field, code and both reasons.
      assert.deepEqual(report[0], ["行号 row", ...HEADER, "字段 field", "代码 code", "原因", "reason"]);
      assert.deepEqual(report[2]!.slice(0, 10), ["6", ...communityRows(100)[4]!]);
      assert.deepEqual(report[2]!.slice(10, 12), ["phone", "phone.format"]);
      assert.ok(report[2]![12]!.includes("1380951") && report[2]![13]!.includes("mainland mobile"));

      const people = (
        await db.query<{
          name: string;
          name_initials: string;
          phone: string;
          nationality: string;
          created_at: Date;
        }>("SELECT name, name_initials, phone, nationality, created_at FROM persons ORDER BY name")
      ).rows;
      assert.deepEqual(
        people.map((p) => [p.name, p.name_initials, p.phone, p.nationality]),
        [
          ["John Smith", "js", "13809511236", "USA"],
          ["张伟", "zw", "13809511235", "CHN"],
          ["马晓燕", "mxy", "13809511234", "CHN"],
        ],
      );
      assert.ok(people.every((p) => p.created_at.getTime() === NOW.getTime()));
      assert.equal(await count(db, "person_documents"), 3);

      const audit = (
        await db.query<{ actor_role: string; entity_type: string; after: Record<string, unknown> }>(
          "SELECT actor_role, entity_type, after FROM audit_log WHERE action = 'person.import'",
        )
      ).rows;
      assert.equal(audit.length, 1, "one audit entry for the whole import, not one per row");
      assert.equal(audit[0]!.entity_type, "import");
      assert.deepEqual(audit[0]!.after, {
        file: "崇安社区.csv",
        format: "csv",
        read: 7,
        written: 3,
        unchanged: 0,
        rejected: 4,
      });
    });

    test("importing the same list again changes nothing: the registered rows are unchanged", async () => {
      const file = join(dir, "崇安社区.csv");
      const before = await count(db, "persons");
      const { summary, rejected } = await run(file);
      assert.deepEqual([summary.written, summary.unchanged, summary.rejected], [0, 3, 4]);
      assert.deepEqual(
        rejected.map((r) => r.row),
        EXPECTED_REJECTIONS.map(([row]) => row),
      );
      assert.equal(await count(db, "persons"), before);
      assert.equal(await count(db, "audit_log WHERE action = 'person.import'"), 2);
    });

    test("the same list as an XLSX workbook (first sheet) imports the same way", async () => {
      const file = join(dir, "崇安社区.xlsx");
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet("人员");
      sheet.addRow(["崇安社区常住人口登记表"]); // a title above the header, as offices make them
      sheet.addRow(["填报日期：2026年11月21日"]);
      sheet.addRow(HEADER);
      for (const r of communityRows(200)) {
        // As offices fill them: birth dates as dates, phone numbers as numbers, ID numbers as text.
        const cells: (string | number | Date)[] = [...r];
        if (r[3]) cells[3] = new Date(`${r[3]}T00:00:00Z`);
        if (/^\d{11}$/.test(r[6]!)) cells[6] = Number(r[6]);
        sheet.addRow(cells);
      }
      wb.addWorksheet("说明").addRow(["第二个工作表不导入"]);
      await wb.xlsx.writeFile(file);
      const { summary, rejected } = await run(file);
      assert.equal(summary.format, "xlsx");
      assert.deepEqual([summary.read, summary.written, summary.unchanged, summary.rejected], [7, 3, 0, 4]);
      assert.deepEqual(
        rejected.map((r) => [r.row, r.errors.map((e) => e.code).join(" ")]),
        EXPECTED_REJECTIONS.map(([row, code]) => [Number(row) + 2, code]),
        "rows as the sheet numbers them, below the title",
      );
      assert.match(rejected.find((r) => r.row === 10)!.errors[0]!.message.zh, /第 4 行/);
      const john = (
        await db.query<{ birth_date: string }>(
          "SELECT birth_date FROM persons WHERE document_number = 'E200123'",
        )
      ).rows[0]!;
      assert.equal(john.birth_date, "1980-01-02");
    });

    test("a file without the ID number column is refused as a whole, and nothing is written", async () => {
      const file = join(dir, "缺列.csv");
      const rows = communityRows(300).map((r) => r.filter((_, i) => i !== 2));
      writeFileSync(
        file,
        csvText(
          rows,
          HEADER.filter((_, i) => i !== 2),
        ),
      );
      const persons = await count(db, "persons");
      const audits = await count(db, "audit_log");
      await assert.rejects(run(file), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, "import.missing_columns");
        assert.match(e.msg.zh, /缺少必需的列：证件号码/);
        assert.match(e.msg.en, /Missing required column\(s\): documentNumber/);
        return true;
      });
      assert.equal(await count(db, "persons"), persons);
      assert.equal(await count(db, "audit_log"), audits);
    });

    test("a file that is no spreadsheet at all is refused in both languages", async () => {
      for (const [name, bytes] of [
        ["scan.pdf.csv", Buffer.from("%PDF-1.7\n\u0001\u0002\u0003binary")],
        ["old.xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0])],
        ["empty.csv", Buffer.alloc(0)],
        ["broken.xlsx", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)])],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, bytes);
        await assert.rejects(importPeople(db, grid, fileSource(file)), (e: unknown) => {
          assert.ok(e instanceof AppError, name);
          assert.equal(e.code, "import.unreadable", name);
          assert.ok(e.msg.zh && e.msg.en);
          return true;
        });
      }
    });

    test("an English sheet with its own headers imports with --map", async () => {
      const file = join(dir, "english.csv");
      const id = makeResidentId("640104", "1985-07-01", 401);
      writeFileSync(
        file,
        csvText(
          [["Li Lei", id, "13912345678", OTHER_COMMUNITY, "12 Wenyi Road, Flat 3"]],
          ["Full name", "ID No.", "Mobile", "Area code", "Street address"],
        ),
      );
      await assert.rejects(
        run(file),
        (e: unknown) => e instanceof AppError && e.code === "import.missing_columns",
      );
      const { summary } = await run(file, grid, {
        map: {
          name: "Full name",
          documentNumber: "ID No.",
          phone: "Mobile",
          currentRegionCode: "Area code",
          currentAddress: "Street address",
        },
      });
      assert.deepEqual([summary.written, summary.rejected], [1, 0]);
      const p = (
        await db.query<{ current_address: string }>(
          "SELECT current_address FROM persons WHERE document_number = $1",
          [id],
        )
      ).rows[0]!;
      assert.equal(p.current_address, "12 Wenyi Road, Flat 3");
    });

    test("a Chinese sheet with other common headers (身份证号, 联系电话, 详细地址), in GB18030, with a BOM-less header", async () => {
      const file = join(dir, "gbk.csv");
      const id = makeResidentId("640104", "1979-12-31", 411);
      const text = csvText(
        [["欧阳娜娜", id, "13712345678", OTHER_COMMUNITY, "文艺路3号"]],
        ["姓名", "身份证号", "联系电话", "现住地区划", "详细地址"],
      );
      writeFileSync(file, encodeGb18030(text));
      assert.deepEqual(await sniffFormat(fileSource(file)), {
        kind: "csv",
        encoding: "gb18030",
        delimiter: ",",
      });
      const { summary } = await run(file);
      assert.deepEqual([summary.encoding, summary.written, summary.rejected], ["gb18030", 1, 0]);
      const p = (
        await db.query<{ name: string; name_pinyin: string }>(
          "SELECT name, name_pinyin FROM persons WHERE document_number = $1",
          [id],
        )
      ).rows[0]!;
      assert.deepEqual(p, { name: "欧阳娜娜", name_pinyin: "ouyangnana" });
    });

    test("regions: unknown, not a community, or outside the --region of the import", async () => {
      const file = join(dir, "regions.csv");
      const id = (n: number) => makeResidentId("640104", "2001-01-01", 500 + n);
      writeFileSync(
        file,
        csvText([
          ["甲", "", id(1), "", "", "", "13800000001", "640104001001", "不存在的社区1号"],
          ["乙", "", id(2), "", "", "", "13800000002", "640104001", "街道1号"],
          ["丙", "", id(3), "", "", "", "13800000003", OTHER_COMMUNITY, "文艺路1号"],
          ["丁", "", id(4), "", "", "", "13800000004", "", "胜利街1号"],
        ]),
      );
      const { summary, rejected } = await run(file, grid, { regionCode: COMMUNITY });
      assert.deepEqual(
        rejected.map((r) => [r.row, r.errors.map((e) => e.code).join(" ")]),
        [
          [2, "region.outside_import"],
          [3, "region.outside_import"],
          [4, "region.outside_import"],
        ],
      );
      assert.equal(summary.written, 1, "an empty region is the import's region");
      const { rejected: again } = await run(file);
      assert.deepEqual(
        again.map((r) => [r.row, r.errors.map((e) => e.code).join(" ")]),
        [
          [2, "region.unknown"],
          [3, "region.level"],
          [5, "region.format"],
        ],
      );
    });

    test("who may import: the role needs people.import, and --region must be inside the jurisdiction", async () => {
      const file = join(dir, "崇安社区.csv");
      await assert.rejects(importPeople(db, ctxOf("lab", "640104"), fileSource(file)), (e: unknown) => {
        return e instanceof AppError && e.status === 403 && e.code === "forbidden";
      });
      await assert.rejects(
        importPeople(db, grid, fileSource(file), { regionCode: OUTSIDE }),
        (e: unknown) => {
          return e instanceof AppError && e.status === 403 && e.code === "outside_jurisdiction";
        },
      );
      // The province's command center may import the row that was outside the grid worker's district.
      const { summary } = await run(file, ctxOf("command", "530000"));
      assert.deepEqual([summary.written, summary.unchanged], [1, 0]);
    });

    test("two imports of one file at the same time register each person once", async () => {
      const file = join(dir, "concurrent.csv");
      // 2,500 rows, every hundredth repeating the row before it.
      const day = (i: number) => new Date(Date.UTC(1950, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const rows = Array.from({ length: 2500 }, (_, i) => {
        const n = i % 100 === 99 ? i - 1 : i;
        return [
          "并发测试",
          "",
          makeResidentId("640104", day(n), 700),
          "",
          "",
          "",
          `139${String(i).padStart(8, "0")}`,
          COMMUNITY,
          `胜利街${i}号`,
        ];
      });
      writeFileSync(file, csvText(rows));
      const before = await count(db, "persons");
      const [a, b] = await Promise.all([
        importPeople(db, grid, fileSource(file), { batchSize: 300 }),
        importPeople(db, grid, fileSource(file), { batchSize: 400 }),
      ]);
      const distinct = new Set(rows.map((r) => r[2])).size;
      assert.equal(a.rejected + b.rejected, 2 * (rows.length - distinct));
      assert.equal(a.written + b.written, distinct);
      assert.equal(a.unchanged + b.unchanged, distinct);
      assert.equal((await count(db, "persons")) - before, distinct);
      assert.equal(
        (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM persons p JOIN person_documents d ON d.person_id = p.id",
          )
        ).rows[0]!.n,
        await count(db, "persons"),
      );
    });
  });
}

describe("the command line: cordon import people", () => {
  test("imports a file, writes the rejected rows next to it, and refuses a file without its columns", () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-import-cli-"));
    try {
      const main = join(import.meta.dirname, "..", "cli", "main.ts");
      // The embedded database in a fresh folder: the command migrates and loads the regions itself.
      const env = { ...process.env, CORDON_DATA_DIR: join(dir, "db"), DATABASE_URL: "" };
      const file = join(dir, "崇安社区.csv");
      writeFileSync(file, `\uFEFF${csvText(communityRows(900))}`);
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [main, "import", "people", ...args], { env, encoding: "utf8" });
      const ok = run(file);
      assert.equal(ok.status, 0, ok.stderr);
      // As the system, administrator of the whole country: the row in Yunnan is theirs too.
      assert.match(ok.stdout, /read 7 \/ written 4 \/ unchanged 0 \/ rejected 3/);
      assert.match(ok.stdout, /读取 7 行：新登记 4，已登记未变 0，拒绝 3/);
      assert.match(ok.stderr, /import: 7 rows read \(100%\)/, "progress lines when stderr is not a terminal");
      const report = readFileSync(join(dir, "崇安社区.rejected.csv"), "utf8");
      assert.equal(report.split("\n").filter(Boolean).length, 4);

      const grid = run(file, "--as", "nobody");
      assert.equal(grid.status, 1);
      assert.match(grid.stderr, /用户 nobody 不存在/);

      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "姓名,手机号\n张三,13800000000\n");
      const refused = run(bad, "--report", join(dir, "bad-report.csv"));
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /缺少必需的列/);
      assert.match(refused.stderr, /Missing required column/);
      assert.ok(!existsSync(join(dir, "bad-report.csv")), "no report for a file refused as a whole");

      const mapped = run(bad, "--map", "nmae=姓名");
      assert.equal(mapped.status, 1);
      assert.match(mapped.stderr, /Unknown target field "nmae"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("reading CSV text", () => {
  const split = (text: string, chunks = 1) => {
    const s = new CsvSplitter(",");
    const out = [];
    const size = Math.ceil(text.length / chunks);
    for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
    out.push(...s.end());
    return out;
  };

  test("quotes, doubled quotes, commas and line breaks inside quotes, CRLF, empty lines", () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",z\r\n\r\n"two\nlines",2,3\n4,5,"6"\n';
    for (const chunks of [1, 2, 5, text.length]) {
      assert.deepEqual(
        split(text, chunks),
        [
          { line: 1, values: ["a", "b", "c"] },
          { line: 2, values: ["x, y", 'say "hi"', "z"] },
          { line: 4, values: ["two\nlines", "2", "3"] },
          { line: 6, values: ["4", "5", "6"] },
        ],
        `in ${chunks} chunks`,
      );
    }
  });

  test("a quote inside a cell is a quote, and a last line without a line end is read", () => {
    assert.deepEqual(split('张"三,1\n李四,2'), [
      { line: 1, values: ['张"三', "1"] },
      { line: 2, values: ["李四", "2"] },
    ]);
  });

  test("a quote that never closes spoils only its own line", () => {
    assert.deepEqual(split('a,b\n"broken,1\nc,d\n'), [
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ['"broken,1'], malformed: "unclosed quote" },
      { line: 3, values: ["c", "d"] },
    ]);
  });
});

/** GB18030 bytes of a text (tests only): Node decodes GB18030 but does not encode it. */
function encodeGb18030(text: string): Buffer {
  const table = new Map<string, number[]>();
  const d = new TextDecoder("gb18030");
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = d.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [a, b]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
    else bytes.push(...(table.get(ch) ?? assert.fail(`no GB18030 code for ${ch}`)));
  }
  return Buffer.from(bytes);
}
