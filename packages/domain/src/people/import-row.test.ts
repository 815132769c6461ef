import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  FirstClaims,
  normalizeDateText,
  normalizeHeader,
  parseColumnMap,
  resolveColumns,
  validateImportRow,
} from "./import-row.ts";
import { makeResidentId } from "./resident-id.ts";

const TODAY = "2026-11-22";
const HEADER = ["姓名", "证件类型", "证件号码", "出生日期", "性别", "国籍", "手机号", "现住地区划", "现住址"];
const COLUMNS = (() => {
  const r = resolveColumns(HEADER);
  assert.ok(r.ok);
  return r.value;
})();
const row = (o: Partial<Record<(typeof HEADER)[number], string>>) =>
  HEADER.map(
    (h) =>
      o[h] ??
      {
        姓名: "马晓燕",
        证件类型: "居民身份证",
        证件号码: makeResidentId("640104", "1990-03-08", 124),
        出生日期: "",
        性别: "",
        国籍: "",
        手机号: "13809511234",
        现住地区划: "640104001002",
        现住址: "胜利街12号3单元501",
      }[h]!,
  );

describe("the columns of a people import", () => {
  test("a community's sheet with Chinese headers is understood without a mapping", () => {
    const r = resolveColumns(["序号", "姓名", "身份证号", "联系电话", "现住地区划", "详细地址"]);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      name: 1,
      documentNumber: 2,
      phone: 3,
      currentRegionCode: 4,
      currentAddress: 5,
    });
  });

  test("headers are matched whatever their case, spacing, BOM or notes such as * and （必填）", () => {
    assert.equal(normalizeHeader("\uFEFF 姓名*"), "姓名");
    assert.equal(normalizeHeader("手机号（必填）"), "手机号");
    assert.equal(normalizeHeader("Document_Type"), "documenttype");
    const r = resolveColumns(["NAME", "document number", "Phone", "currentRegionCode", "current address"]);
    assert.ok(r.ok);
  });

  test("a sheet with both 手机号 and 联系电话 takes the mobile number", () => {
    const r = resolveColumns(["姓名", "证件号码", "联系电话", "手机号", "现住地区划", "现住址"]);
    assert.ok(r.ok);
    assert.equal(r.value.phone, 3);
  });

  test("--map names the columns of a sheet with other headers, and overrides the defaults", () => {
    const map = parseColumnMap(
      "name=Full name, documentNumber=ID No,phone=电话,currentRegionCode=Area,currentAddress=Addr",
    );
    assert.ok(map.ok);
    const r = resolveColumns(["Full name", "ID No", "电话", "Area", "Addr", "手机号"], map.value);
    assert.ok(r.ok);
    assert.equal(r.value.phone, 2);
  });

  test("a mapping with an unknown field or without '=' is refused in both languages", () => {
    const bad = parseColumnMap("nmae=姓名");
    assert.ok(!bad.ok);
    assert.match(bad.error.en, /Unknown target field "nmae"/);
    assert.ok(bad.error.zh.includes("nmae"));
    assert.ok(!parseColumnMap("name").ok);
  });

  test("missing required columns are named with the headers that would do, and the headers found", () => {
    const r = resolveColumns(["姓名", "手机号", "现住址"]);
    assert.ok(!r.ok);
    assert.equal(r.code, "import.missing_columns");
    assert.match(r.error.en, /documentNumber/);
    assert.match(r.error.en, /currentRegionCode/);
    assert.match(r.error.zh, /证件号码/);
    assert.match(r.error.zh, /姓名, 手机号, 现住址/);
  });

  test("the current region column may be absent when the import names the region", () => {
    assert.ok(resolveColumns(["姓名", "证件号码", "手机号", "现住址"], {}, ["currentRegionCode"]).ok);
  });

  test("a mapped header that is not in the file is an error naming it", () => {
    const r = resolveColumns(HEADER, { phone: "电话" });
    assert.ok(!r.ok);
    assert.equal(r.code, "import.mapped_column_missing");
    assert.match(r.error.zh, /电话/);
  });
});

describe("a row of a people import", () => {
  test("a resident ID row: type may be 居民身份证, 身份证, resident_id or empty; facts come from the number", () => {
    for (const t of ["居民身份证", "身份证", "resident_id", ""]) {
      const r = validateImportRow(row({ 证件类型: t }), COLUMNS, TODAY);
      assert.ok(r.ok, t);
      assert.equal(r.value.documentType, "resident_id");
      assert.equal(r.value.birthDate, "1990-03-08");
      assert.equal(r.value.sex, "female");
    }
  });

  test("a passport row needs birth date, sex and nationality, written as clerks write them", () => {
    const r = validateImportRow(
      row({
        姓名: "John Smith",
        证件类型: "护照",
        证件号码: "e1234567",
        出生日期: "1980/1/2",
        性别: "男",
        国籍: "usa",
      }),
      COLUMNS,
      TODAY,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      [r.value.documentType, r.value.birthDate, r.value.sex, r.value.nationality],
      ["passport", "1980-01-02", "male", "USA"],
    );
    const missing = validateImportRow(row({ 证件类型: "passport", 证件号码: "E1234567" }), COLUMNS, TODAY);
    assert.ok(!missing.ok);
    assert.deepEqual(missing.errors.map((e) => e.field).sort(), ["birthDate", "nationality", "sex"]);
  });

  test("permits: 港澳通行证 and 台胞证", () => {
    const hk = validateImportRow(
      row({ 证件类型: "港澳通行证", 证件号码: "H12345678", 出生日期: "1970-05-05", 性别: "female" }),
      COLUMNS,
      TODAY,
    );
    assert.ok(hk.ok);
    assert.equal(hk.value.documentType, "hk_mo_permit");
    const tw = validateImportRow(
      row({ 证件类型: "台胞证", 证件号码: "12345678", 出生日期: "19700505", 性别: "F" }),
      COLUMNS,
      TODAY,
    );
    assert.ok(tw.ok);
    assert.equal(tw.value.documentType, "tw_permit");
  });

  test("an unknown document type or sex is named in the reason, once", () => {
    const r = validateImportRow(
      row({ 证件类型: "军官证", 证件号码: "军字第123号", 性别: "未知" }),
      COLUMNS,
      TODAY,
    );
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.field).sort(), ["documentType", "sex"]);
    const type = r.errors.filter((e) => e.field === "documentType");
    assert.equal(type.length, 1);
    assert.equal(type[0]!.code, "document_type.unknown");
    assert.match(type[0]!.message.zh, /军官证/);
    assert.ok(r.errors.some((e) => e.code === "sex.unknown" && e.message.en.includes("未知")));
  });

  test("an ID number a spreadsheet turned into 6.40104E+17 is explained, not just a bad check digit", () => {
    const r = validateImportRow(row({ 证件号码: "6.40104E+17" }), COLUMNS, TODAY);
    assert.ok(!r.ok);
    assert.equal(r.errors.filter((e) => e.field === "documentNumber")[0]!.code, "document_number.scientific");
  });

  test("a bad check digit, a bad phone: every problem of the row at once", () => {
    const id = makeResidentId("640104", "1990-03-08", 124);
    const wrong = id.slice(0, 17) + (id[17] === "1" ? "2" : "1");
    const r = validateImportRow(row({ 证件号码: wrong, 手机号: "138095" }), COLUMNS, TODAY);
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.code).sort(), ["id_number.check_digit", "phone.format"]);
  });

  test("the import's region fills an empty current region", () => {
    const r = validateImportRow(row({ 现住地区划: "" }), COLUMNS, TODAY, "640104002001");
    assert.ok(r.ok);
    assert.equal(r.value.currentRegionCode, "640104002001");
  });

  test("dates as clerks type them", () => {
    assert.equal(normalizeDateText("1990/3/8"), "1990-03-08");
    assert.equal(normalizeDateText("1990.03.08"), "1990-03-08");
    assert.equal(normalizeDateText("1990年3月8日"), "1990-03-08");
    assert.equal(normalizeDateText("19900308"), "1990-03-08");
    assert.equal(normalizeDateText("March 8"), "March 8");
  });
});

describe("the first row to claim a document number", () => {
  test("a repeated number names the first row; passports are told apart from ID numbers", () => {
    const c = new FirstClaims();
    const id = makeResidentId("640104", "1990-03-08", 124);
    assert.equal(c.claim("resident_id", id, 2), null);
    assert.equal(c.claim("passport", "E1234567", 3), null);
    assert.equal(c.claim("resident_id", id, 7), 2);
    assert.equal(c.claim("passport", "E1234567", 9), 3);
    assert.equal(c.claim("hk_mo_permit", "E1234567", 10), null);
    assert.equal(c.size, 3);
  });

  test("it agrees with a Map of strings on any sequence of valid resident IDs, across growth", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            county: fc.constantFrom("640104", "110101", "530302", "820000"),
            day: fc.integer({ min: 0, max: 45_000 }),
            seq: fc.integer({ min: 0, max: 999 }),
          }),
          { maxLength: 3000 },
        ),
        (xs) => {
          const c = new FirstClaims(16);
          const m = new Map<string, number>();
          xs.forEach((x, i) => {
            const birth = new Date(Date.UTC(1900, 0, 1) + x.day * 86_400_000).toISOString().slice(0, 10);
            const id = makeResidentId(x.county, birth, x.seq);
            assert.equal(c.claim("resident_id", id, i + 2), m.get(id) ?? null);
            if (!m.has(id)) m.set(id, i + 2);
          });
          assert.equal(c.size, m.size);
        },
      ),
      { numRuns: 30 },
    );
  });
});
