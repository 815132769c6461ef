import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 富兴社区, 豫海镇, Tongxin county (同心县), Wuzhong, Ningxia — seed 001's county.
const FUXING = "640324100001";
const QILIN_COMMUNITY = "530302001001";

const count = async (t: TestApp) =>
  (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM area_designations")).rows[0]!.n;

for (const engine of testEngines()) {
  describe(`risk areas and zones (${engine})`, () => {
    let t: TestApp;
    let command: string;
    let grid: string;
    let admin: string;
    let sealedId: string;

    before(async () => {
      t = await testApp(engine);
      command = await t.userSession("command", "640000");
      grid = await t.userSession("grid_worker", "640324100");
      admin = await t.userSession("administrator", "000000");
    });
    after(() => t.close());

    test("Ningxia command seals a Tongxin community after a positive case; the designation is audited", async () => {
      const r = await t.call(command, "POST", "/api/areas", {
        regionCode: FUXING,
        kind: "sealed",
        from: "2021-10-20T08:00:00+08:00",
        reason: "核酸检测阳性病例居住地",
        linkedCase: "NX-2021-1020-01",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      sealedId = r.json().id;
      assert.equal(r.json().to, null);
      assert.equal(r.json().from, "2021-10-20T00:00:00.000Z");
      const audit = await t.call(admin, "GET", `/api/audit?action=area.designate&entityId=${sealedId}`);
      assert.equal(audit.json().total, 1);
    });

    test("the public list at a time shows it with its region path and without case ids or creators", async () => {
      const r = await t.call(null, "GET", "/api/public/areas?at=2021-10-25T12:00:00%2B08:00");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const item = r.json().items.find((a: { regionCode: string }) => a.regionCode === FUXING);
      assert.ok(item, "the sealed community is listed");
      assert.equal(item.kind, "sealed");
      assert.equal(item.regionName, "富兴社区居委会");
      assert.deepEqual(
        item.path.map((p: { code: string }) => p.code),
        ["000000", "640000", "640300", "640324", "640324100", FUXING],
      );
      const text = JSON.stringify(r.json());
      assert.ok(!text.includes("NX-2021-1020-01") && !text.includes("createdBy"));
      const earlier = await t.call(null, "GET", "/api/public/areas?at=2021-10-19T12:00:00%2B08:00");
      assert.equal(earlier.json().items.length, 0);
    });

    test("ending it 14 days later keeps the history: which areas were sealed on 2021-10-25? still answers", async () => {
      const end = await t.call(command, "POST", `/api/areas/${sealedId}/end`, {
        at: "2021-11-03T08:00:00+08:00",
        reason: "连续14天无新增病例，末轮全员核酸阴性",
      });
      assert.equal(end.status, 200, JSON.stringify(end.json()));
      assert.equal(end.json().to, "2021-11-03T00:00:00.000Z");
      const onThe25th = await t.call(command, "GET", "/api/areas?kind=sealed&at=2021-10-25T00:00:00%2B08:00");
      assert.deepEqual(
        onThe25th.json().items.map((a: { id: string }) => a.id),
        [sealedId],
      );
      const afterLift = await t.call(command, "GET", "/api/areas?kind=sealed&at=2021-11-04T00:00:00%2B08:00");
      assert.equal(afterLift.json().items.length, 0);
      assert.equal(await count(t), 1, "ending never deletes");
      const audit = await t.call(admin, "GET", `/api/audit?action=area.end&entityId=${sealedId}`);
      assert.equal(audit.json().total, 1);
    });

    test("it cannot be ended twice, nor before it started", async () => {
      const twice = await t.call(command, "POST", `/api/areas/${sealedId}/end`, {
        at: "2021-11-05T08:00:00+08:00",
        reason: "再次解除",
      });
      assert.equal(twice.status, 422);
      assert.equal(twice.json().error.fields[0].code, "area.already_ended");
      const open = await t.call(command, "POST", "/api/areas", {
        regionCode: "640324100",
        kind: "high",
        from: "2022-04-01T00:00:00+08:00",
        reason: "病例活动轨迹",
      });
      assert.equal(open.status, 201);
      const early = await t.call(command, "POST", `/api/areas/${open.json().id}/end`, {
        at: "2022-03-01T00:00:00+08:00",
        reason: "x",
      });
      assert.equal(early.status, 422);
      assert.equal(early.json().error.fields[0].code, "at.before_from");
    });

    test("a grid worker reads areas in their jurisdiction but cannot designate", async () => {
      const before = await count(t);
      const r = await t.call(grid, "POST", "/api/areas", {
        regionCode: FUXING,
        kind: "controlled",
        from: "2021-10-20T08:00:00+08:00",
        reason: "密接居住地",
      });
      assert.deepEqual([r.status, r.json().error.code], [403, "forbidden"]);
      assert.equal(await count(t), before);
      const list = await t.call(grid, "GET", "/api/areas?at=2022-04-08T00:00:00%2B08:00");
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.json().items.map((a: { kind: string }) => a.kind),
        ["high"],
      );
    });

    test("Ningxia command cannot designate in Qilin, nor list there", async () => {
      const r = await t.call(command, "POST", "/api/areas", {
        regionCode: QILIN_COMMUNITY,
        kind: "high",
        from: "2021-10-20T08:00:00+08:00",
        reason: "x",
      });
      assert.deepEqual([r.status, r.json().error.code], [403, "outside_jurisdiction"]);
      const list = await t.call(command, "GET", "/api/areas?regionCode=530302");
      assert.deepEqual([list.status, list.json().error.code], [403, "outside_jurisdiction"]);
    });

    test("bad input is refused field by field and nothing is stored", async () => {
      const before = await count(t);
      const base = {
        regionCode: FUXING,
        kind: "sealed",
        from: "2021-10-20T08:00:00+08:00",
        reason: "病例居住地",
      };
      const backwards = await t.call(command, "POST", "/api/areas", {
        ...base,
        to: "2021-10-19T08:00:00+08:00",
      });
      assert.equal(backwards.status, 422);
      assert.equal(backwards.json().error.fields[0].code, "to.before_from");
      const kind = await t.call(
        command,
        "POST",
        "/api/areas",
        { ...base, kind: "orange" },
        { "accept-language": "en" },
      );
      assert.equal(kind.status, 422);
      assert.equal(kind.json().error.fields[0].code, "kind.unknown");
      assert.match(kind.json().error.fields[0].message, /Kind must be/);
      const county = await t.call(command, "POST", "/api/areas", {
        ...base,
        regionCode: "640324",
        placeName: "富兴小区",
      });
      assert.equal(county.status, 422);
      assert.equal(county.json().error.fields[0].code, "placeName.level");
      const badTime = await t.call(command, "POST", "/api/areas", { ...base, from: "yesterday" });
      assert.equal(badTime.status, 400);
      const unknown = await t.call(command, "POST", "/api/areas", { ...base, regionCode: "640324199999" });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.json().error.fields[0].code, "region.unknown");
      assert.equal(await count(t), before);
    });

    test("a named building inside a community can be designated", async () => {
      const r = await t.call(command, "POST", "/api/areas", {
        regionCode: FUXING,
        placeName: "富兴小区3号楼",
        kind: "high",
        from: "2022-04-06T00:00:00+08:00",
        to: "2022-04-13T00:00:00+08:00",
        reason: "无症状感染者居住楼栋",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const pub = await t.call(null, "GET", "/api/public/areas?at=2022-04-08T00:00:00%2B08:00");
      assert.deepEqual(
        pub
          .json()
          .items.map(
            (a: { regionCode: string; placeName: string | null }) => `${a.regionCode}:${a.placeName ?? ""}`,
          )
          .sort(),
        [`${FUXING}:富兴小区3号楼`, "640324100:"],
      );
    });
  });
}
