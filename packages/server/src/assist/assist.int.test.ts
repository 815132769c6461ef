import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { makeResidentId } from "@cordon/domain/people/resident-id";
import ExcelJS from "exceljs";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 麒麟区 (530302), Qujing, Yunnan: the county receiving the lists; two of its townships and communities.
const QILIN = "530302";
const XIAOXIANG = "530302001001"; // 潇湘社区, township 530302001
const NANNING = "530302001002"; // 南宁社区, township 530302001
const GUCHENG = "530302002001"; // 古城社区, township 530302002
const PINGAN = "530302002002"; // 平安社区, township 530302002
// 同心县 (640324), Ningxia: outside the jurisdiction.
const TONGXIN = "640324";
const FUXING = "640324100001";

const CSV = "text/csv";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** GB18030 bytes of a text, from Node's own decoder read backwards (two-byte GBK range, ASCII as is). */
function gb18030(text: string): Buffer {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder("gb18030");
  for (let a = 0x81; a <= 0xfe; a++)
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([a, b]));
      if (!table.has(ch)) table.set(ch, [a, b]);
    }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else out.push(...table.get(ch)!);
  }
  return Buffer.from(out);
}

interface Row {
  id: string;
  rowNumber: number;
  name: string;
  state: string;
  personId: string | null;
  regionCode: string | null;
  candidates: { personId: string }[];
  mergedInto: string | null;
  documentNumberMasked: string | null;
  extra: Record<string, string>;
  overdue: boolean;
  version: number;
}

for (const engine of testEngines()) {
  describe(`assist lists (${engine})`, () => {
    let t: TestApp;
    let clock = new Date();
    let grid: string;
    let otherGrid: string;
    let command: string;
    let admin: string;
    const people: Record<string, string> = {};
    const ids = {
      ma: makeResidentId(QILIN, "1990-03-08", 1),
      zhang: makeResidentId(TONGXIN, "1985-06-01", 2),
      unregistered: makeResidentId(QILIN, "1979-01-01", 3),
      liu: makeResidentId(QILIN, "1988-08-08", 7),
    };
    let listId: string;
    let rows: Map<number, Row>;

    async function setClock(at: string): Promise<void> {
      clock = new Date(at);
      grid = await t.userSession("grid_worker", QILIN);
      otherGrid = await t.userSession("grid_worker", TONGXIN);
      command = await t.userSession("command", "530300");
      admin = await t.userSession("administrator", "000000");
    }

    async function register(key: string, community: string, payload: Record<string, unknown>): Promise<void> {
      const r = await t.call(admin, "POST", "/api/people", { ...personPayload(community, 1), ...payload });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      people[key] = r.json().id;
    }

    function upload(cookie: string, body: Buffer | string, type: string, query: string) {
      return t.app
        .inject({
          method: "POST",
          url: `/api/assist-lists?${query}`,
          headers: { cookie, "x-cordon-client": "test", "content-type": type },
          payload: body,
        })
        .then((res) => ({ status: res.statusCode, json: () => JSON.parse(res.body) }));
    }

    async function rowsOf(id: string, query = ""): Promise<Map<number, Row>> {
      const r = await t.call(grid, "GET", `/api/assist-lists/${id}/rows?pageSize=100${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return new Map((r.json().items as Row[]).map((x) => [x.rowNumber, x]));
    }

    async function listCount(): Promise<number> {
      return (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM assist_rows")).rows[0]!.n;
    }

    before(async () => {
      t = await testApp(engine, () => clock);
      await setClock("2020-12-25T15:00:00+08:00");
      await register("ma", XIAOXIANG, { name: "马晓燕", documentNumber: ids.ma, phone: "13809511234" });
      await register("li", GUCHENG, {
        name: "李建国",
        documentNumber: makeResidentId(QILIN, "1970-02-02", 5),
        phone: "13912340002",
      });
      await register("wangA", PINGAN, {
        name: "王芳",
        documentNumber: makeResidentId(QILIN, "1992-04-04", 6),
        phone: "13912340003",
      });
      await register("wangB", NANNING, {
        name: "王芳",
        documentNumber: makeResidentId(QILIN, "1965-05-05", 8),
        phone: "13912340003",
      });
      await register("zhang", FUXING, { name: "张伟", documentNumber: ids.zhang, phone: "13912340004" });
      await register("liuA", XIAOXIANG, { name: "刘洋", documentNumber: ids.liu, phone: "13912340007" });
      await register("liuB", GUCHENG, {
        name: "刘洋",
        documentNumber: makeResidentId(QILIN, "1999-09-09", 9),
        phone: "13912340007",
      });
    });
    after(() => t.close());

    test("a list received at 15:00 is due at midnight: matched by ID, by name + phone, ambiguous, forwarded, duplicates merged, bad rows reported", async () => {
      const csv = [
        "姓名,身份证号,手机号,协查原因,现住址,线索区划,推送批次",
        `马晓燕,${ids.ma},,密接,潇湘街1号,,A-01`,
        "李建国,,139 1234 0002,次密接,,,A-01",
        "王芳,,13912340003,时空伴随,,,A-01",
        `张伟,${ids.zhang},,密接,,,A-01`,
        `赵六,${ids.unregistered},,密接,,${NANNING},A-01`,
        `马晓燕,${ids.ma},13809511234,重复推送,,,B-02`,
        `钱七,${ids.ma.slice(0, 17)}${ids.ma[17] === "0" ? "1" : "0"},,,,,B-02`,
        "孙八,,1234,,,,B-02",
        "周九,,13912340009,,,530302999999,B-02",
        "吴十,,,,,,B-02",
        "李建国,,13912340002,,,,B-02",
        "王芳,,13912340003,重复推送,,,B-02",
        `刘洋,${ids.liu},,密接,,,B-02`,
        "刘洋,,13912340007,密接,,,B-02",
      ].join("\n");
      const r = await upload(
        grid,
        csv,
        CSV,
        `name=${encodeURIComponent("曲靖市协查名单 第12批")}&source=${encodeURIComponent("曲靖市指挥部")}`,
      );
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const { list, rejected } = r.json();
      listId = list.id;
      assert.equal(list.regionCode, QILIN);
      assert.equal(list.receivedAt, "2020-12-25T07:00:00.000Z");
      assert.equal(list.deadlineAt, "2020-12-25T16:00:00.000Z", "midnight Asia/Shanghai of the day received");
      assert.deepEqual(
        rejected.map((x: { row: number; field: string; code: string }) => [x.row, x.field, x.code]),
        [
          [8, "idNumber", "id_number.check_digit"],
          [9, "phone", "phone.format"],
          [10, "regionCode", "region.unknown"],
          [11, "idNumber", "assist.id_or_phone_required"],
        ],
      );
      assert.match(rejected[0].message, /校验码/);
      assert.deepEqual(list.counts, {
        total: 10,
        ambiguous: 2,
        unmatched: 1,
        dispatched: 3,
        merged: 3,
        controlled: 0,
        notFound: 0,
        forwarded: 1,
        open: 9,
        overdue: 0,
      });

      rows = await rowsOf(listId);
      assert.deepEqual([...rows.keys()], [2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
      const r2 = rows.get(2)!;
      assert.equal(r2.state, "dispatched");
      assert.equal(r2.personId, people.ma);
      assert.equal(r2.regionCode, XIAOXIANG);
      assert.equal(r2.documentNumberMasked, `${ids.ma.slice(0, 6)}********${ids.ma.slice(14)}`);
      assert.deepEqual(r2.extra, { 推送批次: "A-01" });
      assert.equal(rows.get(3)!.state, "dispatched");
      assert.equal(rows.get(3)!.personId, people.li, "name + phone, spaces in the phone ignored");
      assert.equal(rows.get(3)!.regionCode, GUCHENG);
      assert.equal(rows.get(4)!.state, "ambiguous");
      assert.deepEqual(
        rows
          .get(4)!
          .candidates.map((c) => c.personId)
          .sort(),
        [people.wangA, people.wangB].sort(),
      );
      assert.equal(rows.get(5)!.state, "forwarded", "lives in Tongxin, outside Qilin: forwarded at import");
      assert.equal(rows.get(5)!.regionCode, FUXING);
      assert.equal(
        (rows.get(5) as unknown as { outcome: { forwardedTo: string } }).outcome.forwardedTo,
        FUXING,
      );
      assert.equal(rows.get(6)!.state, "unmatched");
      assert.equal(
        rows.get(6)!.regionCode,
        NANNING,
        "not in the registry: goes to the sender's hint in Qilin",
      );
      assert.equal(rows.get(7)!.state, "merged");
      assert.equal(rows.get(7)!.mergedInto, r2.id, "same ID number as row 2");
      assert.equal(rows.get(12)!.state, "merged");
      assert.equal(rows.get(12)!.mergedInto, rows.get(3)!.id, "same person as row 3");
      assert.equal(rows.get(13)!.state, "merged");
      assert.equal(rows.get(13)!.mergedInto, rows.get(4)!.id, "same name and phone as the ambiguous row 4");
      assert.equal(rows.get(14)!.state, "dispatched");
      assert.equal(rows.get(15)!.state, "ambiguous");

      const audit = await t.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE entity_type = 'assist_list' AND entity_id = $1",
        [listId],
      );
      assert.deepEqual(
        audit.rows.map((a) => a.action),
        ["assist.import"],
      );
    });

    test("the ambiguous row is decided by a person: one candidate, then dispatched to her community", async () => {
      const row = rows.get(4)!;
      const wrong = await t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${row.id}/match`, {
        personId: people.ma,
        version: row.version,
      });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.json().error.fields[0].code, "assist.not_a_candidate");
      const stale = await t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${row.id}/match`, {
        personId: people.wangA,
        version: row.version + 1,
      });
      assert.equal(stale.status, 409);
      const ok = await t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${row.id}/match`, {
        personId: people.wangA,
        version: row.version,
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      assert.equal(ok.json().state, "dispatched");
      assert.equal(ok.json().personId, people.wangA);
      assert.equal(ok.json().regionCode, PINGAN);
      assert.equal(ok.json().version, row.version + 1);

      const liu = rows.get(15)!;
      const merged = await t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${liu.id}/match`, {
        personId: people.liuA,
        version: liu.version,
      });
      assert.equal(merged.status, 200, JSON.stringify(merged.json()));
      assert.equal(merged.json().state, "merged", "刘洋 A is already row 14");
      assert.equal(merged.json().mergedInto, rows.get(14)!.id);
      const after = await rowsOf(listId);
      assert.equal(after.get(13)!.mergedInto, row.id, "row 13 still ends with row 4");
    });

    test("a township's grid worker sees the county's list with only the rows assigned to the township", async () => {
      const township = await t.userSession("grid_worker", "530302002");
      const lists = (await t.call(township, "GET", "/api/assist-lists")).json();
      assert.deepEqual(
        lists.items.map((l: { id: string }) => l.id),
        [listId],
      );
      // Rows 3 and 12 (古城社区), 4 (decided: 平安社区) and 13 (merged into 4).
      assert.equal(lists.items[0].counts.total, 4);
      const page = (await t.call(township, "GET", `/api/assist-lists/${listId}/rows`)).json();
      assert.deepEqual(
        page.items.map((r: Row) => r.rowNumber),
        [3, 4, 12, 13],
      );
      const found = (
        await t.call(grid, "GET", `/api/assist-lists/${listId}/rows?q=${encodeURIComponent("李建")}`)
      ).json();
      assert.deepEqual(
        found.items.map((r: Row) => r.rowNumber),
        [3, 12],
      );
    });

    test("a grid worker of another county cannot see or close Qilin's list", async () => {
      assert.equal((await t.call(otherGrid, "GET", `/api/assist-lists/${listId}`)).status, 403);
      assert.equal((await t.call(otherGrid, "GET", `/api/assist-lists/${listId}/rows`)).status, 403);
      const row = rows.get(2)!;
      const r = await t.call(otherGrid, "POST", `/api/assist-lists/${listId}/rows/${row.id}/outcome`, {
        outcome: "controlled",
        at: "2020-12-25T15:00:00+08:00",
        version: row.version,
      });
      assert.equal(r.status, 403);
      const mine = await t.call(otherGrid, "GET", "/api/assist-lists");
      assert.equal(mine.status, 200);
      assert.equal(mine.json().items.length, 0);
    });

    test("outcomes are checked: not found needs a reason, controlled needs a person, forwarding leaves the jurisdiction, merged rows end with their first row", async () => {
      rows = await rowsOf(listId);
      const post = (n: number, body: Record<string, unknown>) =>
        t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${rows.get(n)!.id}/outcome`, {
          at: "2020-12-25T15:00:00+08:00",
          version: rows.get(n)!.version,
          ...body,
        });
      const noReason = await post(6, { outcome: "not_found" });
      assert.equal(noReason.status, 422);
      assert.equal(noReason.json().error.fields[0].code, "assist.reason_required");
      const blank = await post(6, { outcome: "not_found", reason: "   " });
      assert.equal(blank.status, 422);
      const noPerson = await post(6, { outcome: "controlled" });
      assert.equal(noPerson.json().error.fields[0].code, "assist.controlled_needs_person");
      const inside = await post(2, { outcome: "forwarded", forwardedTo: GUCHENG });
      assert.equal(inside.json().error.fields[0].code, "assist.forward_inside");
      const merged = await post(7, { outcome: "controlled" });
      assert.equal(merged.status, 422);
      assert.equal(merged.json().error.fields[0].code, "assist.row_merged");
      const final = await post(5, { outcome: "controlled" });
      assert.equal(final.json().error.fields[0].code, "assist.row_final");
      const future = await post(2, { outcome: "controlled", at: "2020-12-25T20:00:00+08:00" });
      assert.equal(future.json().error.fields[0].code, "assist.at_future");
      // Nothing above changed a row.
      const again = await rowsOf(listId);
      for (const [n, r] of rows) assert.equal(again.get(n)!.version, r.version, `row ${n} unchanged`);
    });

    test("after midnight the open rows are overdue, first in the list and counted per township on the command's view", async () => {
      await setClock("2020-12-26T00:30:00+08:00");
      const list = (await t.call(grid, "GET", `/api/assist-lists/${listId}`)).json();
      assert.equal(list.counts.open, 9);
      assert.equal(list.counts.overdue, 9);
      const page = (await t.call(grid, "GET", `/api/assist-lists/${listId}/rows?overdue=true`)).json();
      assert.equal(page.total, 9);
      assert.ok(page.items.every((r: Row) => r.overdue));
      const all = (await t.call(grid, "GET", `/api/assist-lists/${listId}/rows`)).json();
      assert.equal(all.items.at(-1).rowNumber, 5, "the forwarded row is not overdue: it comes last");
      const view = await t.call(command, "GET", `/api/assist-lists/overdue?regionCode=${QILIN}`);
      assert.equal(view.status, 200, JSON.stringify(view.json()));
      const by = new Map(
        view
          .json()
          .items.map((i: { code: string; open: number; overdue: number }) => [i.code, [i.open, i.overdue]]),
      );
      // Township 530302001: rows 2, 7 (merged into 2), 14, 15 (merged into 14) and 6 (hint 南宁社区);
      // township 530302002: rows 3, 12 (merged into 3), 4 (decided: 平安社区) and 13 (merged into 4).
      assert.deepEqual(by.get("530302001"), [5, 5]);
      assert.deepEqual(by.get("530302002"), [4, 4]);
      assert.equal(by.has(QILIN), false, "no row is held at the county itself");
      const city = (await t.call(command, "GET", "/api/assist-lists/overdue")).json();
      assert.deepEqual(
        city.items
          .filter((i: { code: string }) => i.code === QILIN)
          .map((i: { overdue: number }) => i.overdue),
        [9],
      );
    });

    test("every row ends controlled, not found or forwarded, and nothing is open", async () => {
      rows = await rowsOf(listId);
      const close = async (n: number, body: Record<string, unknown>) => {
        const r = await t.call(grid, "POST", `/api/assist-lists/${listId}/rows/${rows.get(n)!.id}/outcome`, {
          at: "2020-12-26T00:20:00+08:00",
          version: rows.get(n)!.version,
          ...body,
        });
        assert.equal(r.status, 200, JSON.stringify(r.json()));
        return r.json();
      };
      await close(2, { outcome: "controlled" });
      await close(3, { outcome: "controlled" });
      await close(4, { outcome: "controlled" });
      await close(14, { outcome: "controlled" });
      const nf = await close(6, { outcome: "not_found", reason: "查无此人：户籍地核查无此人员，电话停机" });
      assert.equal(nf.outcome.reason, "查无此人：户籍地核查无此人员，电话停机");
      const list = (await t.call(grid, "GET", `/api/assist-lists/${listId}`)).json();
      assert.deepEqual(list.counts, {
        total: 10,
        ambiguous: 0,
        unmatched: 0,
        dispatched: 0,
        merged: 4,
        controlled: 4,
        notFound: 1,
        forwarded: 1,
        open: 0,
        overdue: 0,
      });
      const view = (await t.call(command, "GET", `/api/assist-lists/overdue?regionCode=${QILIN}`)).json();
      assert.ok(view.items.every((i: { open: number }) => i.open === 0));
      const audit = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'assist.outcome'",
      );
      assert.equal(audit.rows[0]!.n, 5);
    });

    test("a file that is not CSV or XLSX, has no header, has more than 200,000 rows or over 64 MiB is refused whole and nothing is stored", async () => {
      const before = await listCount();
      const pdf = await upload(
        grid,
        Buffer.from("%PDF-1.7\n\u0000\u0001\u0002binary"),
        "application/pdf",
        "name=x",
      );
      assert.equal(pdf.status, 422);
      assert.equal(pdf.json().error.code, "assist.file_refused");
      const binary = await upload(grid, Buffer.from([0x00, 0x01, 0x02, 0x03]), CSV, "name=x");
      assert.equal(binary.status, 422);
      const headerless = await upload(
        grid,
        `马晓燕,${ids.ma},13809511234\n李建国,,13912340002\n`,
        CSV,
        "name=x",
      );
      assert.equal(headerless.status, 422);
      assert.equal(headerless.json().error.fields[0].code, "assist.no_name_column");
      const empty = await upload(grid, "\n\n", CSV, "name=x");
      assert.equal(empty.status, 422);
      const tooLong = await upload(
        grid,
        `姓名,手机号\n${"马晓燕,13809511234\n".repeat(200_001)}`,
        CSV,
        "name=x",
      );
      assert.equal(tooLong.status, 422);
      assert.match(tooLong.json().error.message, /200000/);
      const huge = await upload(grid, Buffer.alloc(64 * 1024 * 1024 + 1, 0x41), CSV, "name=x");
      assert.equal(huge.status, 413);
      assert.match(huge.json().error.message, /64 MiB/);
      const json = await t.call(grid, "POST", "/api/assist-lists?name=x", { rows: [] });
      assert.equal(json.status, 422);
      assert.equal(await listCount(), before);
      const lists = (await t.call(grid, "GET", "/api/assist-lists")).json();
      assert.equal(lists.items.length, 1);
    });

    test("an XLSX list imports the same as the CSV, and a GB18030 CSV from Excel decodes", async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("协查名单");
      ws.addRow(["idNumber", "name", "phone", "reason"]);
      ws.addRow([ids.ma, "马晓燕", "", "密接"]);
      ws.addRow(["", "李建国", 13912340002, "次密接"]);
      ws.addRow([ids.zhang, "张伟", "", ""]);
      const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
      const x = await upload(grid, xlsx, XLSX, "name=xlsx&source=big-data");
      assert.equal(x.status, 201, JSON.stringify(x.json()));
      const xr = await rowsOf(x.json().list.id);
      assert.deepEqual(
        [...xr.values()].map((r) => [r.rowNumber, r.state, r.personId]),
        [
          [2, "dispatched", people.ma],
          [3, "dispatched", people.li],
          [4, "forwarded", people.zhang],
        ],
      );

      const gb = gb18030("姓名,手机号,协查原因\r\n李建国,13912340002,时空伴随\r\n");
      assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(gb), "the file is not UTF-8");
      const g = await upload(grid, gb, CSV, "name=gb18030");
      assert.equal(g.status, 201, JSON.stringify(g.json()));
      const gr = await rowsOf(g.json().list.id);
      assert.equal(gr.get(2)!.name, "李建国");
      assert.equal(gr.get(2)!.personId, people.li);
      assert.equal((gr.get(2) as unknown as { reason: string }).reason, "时空伴随");
    });
  });
}
