import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

const XINGQING_COMMUNITY = "640104001002"; // 崇安社区 in Xingqing district, Yinchuan

for (const engine of testEngines()) {
  describe(`people registry (${engine})`, () => {
    let t: TestApp;
    let grid: string;
    let admin: string;

    before(async () => {
      t = await testApp(engine);
      grid = await t.userSession("grid_worker", "640104001");
      admin = await t.userSession("administrator", "000000");
    });
    after(() => t.close());

    test("a grid worker registers a resident; birth date and sex come from the ID number", async () => {
      const r = await t.call(grid, "POST", "/api/people", personPayload(XINGQING_COMMUNITY, 11));
      assert.equal(r.status, 201, r.json()?.error?.message);
      assert.equal(r.json().birthDate, "1990-03-08");
      assert.equal(r.json().sex, "male");
      assert.equal(r.json().nationality, "CHN");
    });

    test("the same ID number is never two people: a second registration is refused and nothing is written", async () => {
      const before = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
      const r = await t.call(
        grid,
        "POST",
        "/api/people",
        personPayload(XINGQING_COMMUNITY, 11, { name: "马小燕", phone: "13900000000" }),
      );
      assert.equal(r.status, 409);
      assert.equal(r.json().error.code, "person.duplicate_document");
      const after = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
      assert.equal(after, before);
    });

    test("bad fields come back one by one, in the caller's language, and nothing is stored", async () => {
      const before = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
      const bad = personPayload(XINGQING_COMMUNITY, 12, { phone: "12345", currentAddress: "" });
      const zh = await t.call(grid, "POST", "/api/people", bad);
      assert.equal(zh.status, 422);
      assert.deepEqual(
        zh
          .json()
          .error.fields.map((f: { field: string }) => f.field)
          .sort(),
        ["currentAddress", "phone"],
      );
      assert.match(
        zh.json().error.fields.find((f: { field: string }) => f.field === "phone").message,
        /手机号/,
      );
      const en = await t.call(grid, "POST", "/api/people", bad, { "accept-language": "en" });
      assert.match(
        en.json().error.fields.find((f: { field: string }) => f.field === "phone").message,
        /mobile number/,
      );
      const after = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
      assert.equal(after, before);
    });

    test("people live in a community or grid, not in a county", async () => {
      const r = await t.call(
        grid,
        "POST",
        "/api/people",
        personPayload("640104001", 13, { currentRegionCode: "640104001" }),
      );
      assert.equal(r.status, 422);
      assert.equal(r.json().error.fields[0].code, "region.level");
    });

    test("lists mask ID numbers and phones; the detail shows them in full and the read is audited", async () => {
      const created = await t.call(
        grid,
        "POST",
        "/api/people",
        personPayload(XINGQING_COMMUNITY, 21, { name: "单田芳", phone: "13712345678" }),
      );
      const id = created.json().id as string;
      const doc = created.json().documentNumber as string;
      const list = await t.call(grid, "GET", "/api/people?q=stf");
      const row = list.json().items.find((p: { id: string }) => p.id === id);
      assert.ok(row, "found by pinyin initials (单 read as a surname: shan)");
      assert.equal(row.documentNumberMasked, `${doc.slice(0, 6)}********${doc.slice(14)}`);
      assert.equal(row.phoneMasked, "137****5678");
      assert.ok(!JSON.stringify(list.json()).includes(doc), "the full ID number is not in the list");

      const detail = await t.call(grid, "GET", `/api/people/${id}`);
      assert.equal(detail.json().person.documentNumber, doc);
      assert.deepEqual(
        detail.json().regionPath.map((r: { code: string }) => r.code),
        ["000000", "640000", "640100", "640104", "640104001", XINGQING_COMMUNITY],
      );
      const audit = await t.call(admin, "GET", `/api/audit?action=person.pii_read&entityId=${id}`);
      assert.equal(audit.json().total, 1);
    });

    test("search by the last digits of an ID number, the full number, a phone, or the start of a name", async () => {
      const created = await t.call(
        grid,
        "POST",
        "/api/people",
        personPayload(XINGQING_COMMUNITY, 31, { name: "纳兰容若", phone: "15109512345" }),
      );
      const { id, documentNumber } = created.json();
      const hit = async (q: string) =>
        (await t.call(grid, "GET", `/api/people?q=${encodeURIComponent(q)}`))
          .json()
          .items.map((p: { id: string }) => p.id);
      assert.ok((await hit(documentNumber.slice(-4))).includes(id));
      assert.ok((await hit(documentNumber.slice(-6).toLowerCase())).includes(id));
      assert.deepEqual(await hit(documentNumber), [id]);
      assert.deepEqual(await hit("15109512345"), [id]);
      assert.ok((await hit("2345")).includes(id), "phone suffix");
      assert.ok((await hit("纳兰")).includes(id));
      assert.deepEqual(await hit("no-such-person-zzz".replace(/-/g, "")), []);
    });

    test("an edit needs the version read; a stale one is refused; the audit keeps before and after", async () => {
      const created = await t.call(grid, "POST", "/api/people", personPayload(XINGQING_COMMUNITY, 41));
      const p = created.json();
      const edit = { ...personPayload(XINGQING_COMMUNITY, 41), phone: "18609510000", version: p.version };
      const ok = await t.call(grid, "PUT", `/api/people/${p.id}`, edit);
      assert.equal(ok.status, 200);
      assert.equal(ok.json().version, 2);
      const stale = await t.call(grid, "PUT", `/api/people/${p.id}`, { ...edit, phone: "18609510001" });
      assert.equal(stale.status, 409);
      assert.equal(stale.json().error.code, "person.stale");
      const audit = await t.call(admin, "GET", `/api/audit?action=person.update&entityId=${p.id}`);
      assert.equal(audit.json().total, 1);
      assert.deepEqual(audit.json().items[0].before, { phone: "13809511234" });
      assert.deepEqual(audit.json().items[0].after, { phone: "18609510000" });
    });

    test("a passport holder is registered with birth date, sex and nationality", async () => {
      const r = await t.call(grid, "POST", "/api/people", {
        ...personPayload(XINGQING_COMMUNITY, 0),
        name: "John Smith",
        documentType: "passport",
        documentNumber: "E12345678",
        birthDate: "1980-01-02",
        sex: "male",
        nationality: "USA",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.equal(r.json().nationality, "USA");
    });

    test("households group people at one address", async () => {
      const h = await t.call(grid, "POST", "/api/households", {
        regionCode: XINGQING_COMMUNITY,
        address: "胜利街12号3单元501",
      });
      assert.equal(h.status, 201);
      for (const [seq, rel] of [
        [51, "户主"],
        [52, "配偶"],
      ] as const) {
        const r = await t.call(
          grid,
          "POST",
          "/api/people",
          personPayload(XINGQING_COMMUNITY, seq, { householdId: h.json().id, householdRelation: rel }),
        );
        assert.equal(r.status, 201);
      }
      const any = (
        await t.db.query<{ id: string }>("SELECT id FROM persons WHERE household_id = $1 LIMIT 1", [
          h.json().id,
        ])
      ).rows[0]!;
      const d = await t.call(grid, "GET", `/api/people/${any.id}`);
      assert.equal(d.json().household.members.length, 2);
    });
  });
}
