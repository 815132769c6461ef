import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { LINE_LIST_COLUMNS, lineListToCsv, readLineList, type CaseRecord } from "./line-list.ts";

const TODAY = "2022-04-10";
const HEADER = [...LINE_LIST_COLUMNS];

function read(rows: string[][], header: string[] = HEADER) {
  return readLineList(header, rows, { today: TODAY });
}
const codes = (r: ReturnType<typeof read>) => r.issues.map((i) => `${i.row}:${i.field}:${i.code}`);

describe("case line list import (issue 6 item 6)", () => {
  test("a clean line list reads into cases: dates, sex (M/F, male/female, 男/女), age, region and setting", () => {
    const r = read([
      ["SH-001", "", "2022-03-28", "2022-03-30", "女", "34", "310104", "household"],
      ["SH-002", "SH-001", "2022-03-31", "", "male", "61", "310104", "household"],
      ["SH-003", "SH-001", "", "2022-04-02", "", "0.5", "", ""],
    ]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.cases[1]!, {
      caseId: "SH-002",
      infectorId: "SH-001",
      onsetDate: "2022-03-31",
      reportDate: null,
      sex: "M",
      age: 61,
      regionCode: "310104",
      exposureSetting: "household",
    });
    assert.equal(r.cases[0]!.sex, "F");
    assert.equal(r.cases[2]!.age, 0.5);
    assert.equal(r.cases[2]!.onsetDate, null);
  });

  test("unknown columns are reported and ignored; columns may come in any order", () => {
    const header = ["occupation", ...[...HEADER].reverse()];
    const r = read([["cold chain", "", "", "", "", "", "", "", "A1"]], header);
    assert.equal(r.ok, true);
    assert.deepEqual(r.unknownColumns, ["occupation"]);
    assert.deepEqual(codes(r), ["null:occupation:unknown_column"]);
    assert.equal(r.cases[0]!.caseId, "A1");
  });

  test("a missing required column refuses the whole file, naming the column in zh and en", () => {
    const r = read(
      [["A1", "", "2022-04-01", "", "", "", ""]],
      HEADER.filter((c) => c !== "report_date"),
    );
    assert.equal(r.ok, false);
    assert.deepEqual(r.cases, []);
    assert.equal(r.issues[0]!.code, "missing_column");
    assert.match(r.issues[0]!.message.zh, /report_date/);
    assert.match(r.issues[0]!.message.en, /required column "report_date" is missing/);
  });

  test("bad input is reported by row and field, never dropped silently: bad and future dates, age, self-infection, duplicate ids, unknown infector", () => {
    const r = read([
      ["C1", "", "2022-02-30", "2022/04/01", "F", "200", "", ""],
      ["C2", "C2", "2022-04-11", "", "x", "-3", "", ""],
      ["C3", "C9", "2022-04-09", "", "M", "40", "", ""],
      ["C1", "", "2022-04-01", "", "", "", "", ""],
      ["", "C1", "", "", "", "", "", ""],
    ]);
    assert.equal(r.ok, true);
    assert.deepEqual(codes(r), [
      "1:onset_date:bad_date",
      "1:report_date:bad_date",
      "1:age:bad_age",
      "2:infector_id:self_infection",
      "2:onset_date:future_date",
      "2:sex:bad_sex",
      "2:age:bad_age",
      "4:case_id:duplicate_case_id",
      "5:case_id:missing_case_id",
      "3:infector_id:infector_not_in_list",
    ]);
    // Refused values become unknown, the rows stay (except the duplicate and the id-less row, both reported).
    assert.deepEqual(
      r.cases.map((c) => c.caseId),
      ["C1", "C2", "C3"],
    );
    assert.equal(r.cases[0]!.onsetDate, null);
    assert.equal(r.cases[1]!.infectorId, null);
    assert.equal(r.cases[1]!.onsetDate, null);
    assert.equal(r.cases[2]!.infectorId, "C9", "an infector outside the list is flagged, not removed");
    const severities = Object.fromEntries(r.issues.map((i) => [i.code, i.severity]));
    assert.equal(severities.infector_not_in_list, "flag");
    assert.equal(severities.future_date, "error");
    const future = r.issues.find((i) => i.code === "future_date");
    assert.match(future?.message.zh ?? "", /2022-04-11 晚于今天（2022-04-10）/);
    assert.match(future?.message.en ?? "", /after today \(2022-04-10\)/);
  });
});

describe("case line list export", () => {
  test("export then import gives the same cases, including ids with commas, quotes and spaces", () => {
    const cases: CaseRecord[] = [
      {
        caseId: 'JL-"12", Jilin',
        infectorId: null,
        onsetDate: "2022-03-01",
        reportDate: "2022-03-04",
        sex: "F",
        age: 45,
        regionCode: "220202",
        exposureSetting: "workplace, market",
      },
      {
        caseId: " JL-13",
        infectorId: 'JL-"12", Jilin',
        onsetDate: null,
        reportDate: null,
        sex: null,
        age: null,
        regionCode: null,
        exposureSetting: null,
      },
    ];
    const csv = lineListToCsv(cases);
    assert.equal(
      csv.split("\r\n")[0],
      "case_id,infector_id,onset_date,report_date,sex,age,region_code,exposure_setting",
    );
    const [header, ...rows] = parse(csv, { bom: true, relax_column_count: true }) as string[][];
    const back = readLineList(header ?? [], rows, { today: TODAY });
    assert.deepEqual(back.issues, []);
    // Ids are trimmed on import: " JL-13" comes back as "JL-13".
    assert.deepEqual(back.cases, [cases[0]!, { ...cases[1]!, caseId: "JL-13" }]);
  });
});
