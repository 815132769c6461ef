import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 富兴社区, 豫海镇, Tongxin county (同心县), Ningxia.
const FUXING = "640324100001";
const enc = encodeURIComponent;

for (const engine of testEngines()) {
  describe(`risk-area downgrade and lift proposals (${engine})`, () => {
    let t: TestApp;
    let command: string;
    let grid: string;
    let admin: string;
    let highId: string;
    let fingerprint: string;

    before(async () => {
      t = await testApp(engine);
      command = await t.userSession("command", "640000");
      grid = await t.userSession("grid_worker", "640324100");
      admin = await t.userSession("administrator", "000000");
      const r = await t.call(command, "POST", "/api/areas", {
        regionCode: FUXING,
        kind: "high",
        from: "2022-08-01T10:00:00+08:00",
        reason: "确诊病例居住小区",
        linkedCase: "NX-2022-0801-01",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      highId = r.json().id;
    });
    after(() => t.close());

    const proposals = async (at: string) => {
      const r = await t.call(command, "GET", `/api/areas/proposals?at=${enc(at)}&regionCode=640324`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return r.json().items as {
        area: { id: string; kind: string };
        proposal: {
          status: string;
          toKind: string | null;
          packId: string;
          transitionId: string;
          fingerprint: string;
          source: { quote: string };
          conditions: { code: string; met: boolean; message: { zh: string; en: string } }[];
        };
      }[];
    };

    test("「Downgrade to medium after 7 consecutive days with no new infection, and an area-wide test on day 7 all negative.」 before the day-7 round the downgrade is pending, the unmet condition named", async () => {
      const [item, ...rest] = await proposals("2022-08-09T09:00:00+08:00");
      assert.equal(rest.length, 0);
      assert.equal(item?.area.id, highId);
      assert.equal(item?.proposal.status, "pending");
      assert.equal(item?.proposal.packId, "national-9th-edition");
      assert.deepEqual(
        item?.proposal.conditions.filter((c) => !c.met).map((c) => c.code),
        ["screening_negative"],
      );
    });

    test("a grid worker reads the proposals of his own area, not of another county's", async () => {
      const own = await t.call(grid, "GET", `/api/areas/proposals?at=${enc("2022-08-09T09:00:00+08:00")}`);
      assert.equal(own.status, 200);
      assert.equal(own.json().items.length, 1);
      const other = await t.call(grid, "GET", "/api/areas/proposals?regionCode=640104");
      assert.equal(other.status, 403);
    });

    test("a grid worker may read the facts but not record one; a screening round needs its result", async () => {
      const denied = await t.call(grid, "POST", `/api/areas/${highId}/events`, {
        kind: "screening_round",
        at: "2022-08-08T15:00:00+08:00",
        result: "negative",
      });
      assert.equal(denied.status, 403);
      const noResult = await t.call(command, "POST", `/api/areas/${highId}/events`, {
        kind: "screening_round",
        at: "2022-08-08T15:00:00+08:00",
      });
      assert.equal(noResult.status, 422);
      assert.equal(noResult.json().error.fields[0].code, "result.required");
      const before = await t.call(command, "POST", `/api/areas/${highId}/events`, {
        kind: "new_infection",
        at: "2022-07-30T15:00:00+08:00",
      });
      assert.equal(before.json().error.fields[0].code, "at.before_from");
      const listed = await t.call(grid, "GET", `/api/areas/${highId}/events`);
      assert.equal(listed.status, 200);
      assert.equal(listed.json().items.length, 0, "a refused request changes nothing");
    });

    test("the command records the day-7 round negative (audited); the proposal is then ready", async () => {
      const r = await t.call(command, "POST", `/api/areas/${highId}/events`, {
        kind: "screening_round",
        at: "2022-08-08T15:00:00+08:00",
        result: "negative",
        note: "全员核酸，应检尽检",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const audit = await t.call(admin, "GET", `/api/audit?action=area.event&entityId=${highId}`);
      assert.equal(audit.json().total, 1);
      const [item] = await proposals("2022-08-09T09:00:00+08:00");
      assert.equal(item?.proposal.status, "ready");
      assert.equal(item?.proposal.toKind, "medium");
      assert.equal(
        item?.proposal.source.quote,
        "Downgrade to medium after 7 consecutive days with no new infection, and an area-wide test on day 7 all negative.",
      );
      fingerprint = item!.proposal.fingerprint;
    });

    test("confirming too early (08-08, day 7 not over) is refused with the unmet condition in both languages", async () => {
      const r = await t.call(command, "POST", `/api/areas/${highId}/transition`, {
        to: "medium",
        at: "2022-08-08T20:00:00+08:00",
        reason: "连续7天无新增感染，第7天全员核酸阴性",
        fingerprint,
      });
      assert.equal(r.status, 422);
      assert.equal(r.json().error.code, "transition.conditions_unmet");
      assert.equal(r.json().error.fields[0].code, "condition.days_without_new_infection");
      const en = await t.call(command, "POST", `/api/areas/${highId}/transition?lang=en`, {
        to: "low",
        at: "2022-08-09T09:00:00+08:00",
        reason: "x",
        fingerprint,
      });
      assert.equal(en.json().error.code, "transition.not_proposed");
      assert.match(en.json().error.message, /proposes no/);
    });

    test("a stale fingerprint (the person saw the proposal before a fact was added) is a conflict", async () => {
      const r = await t.call(command, "POST", `/api/areas/${highId}/transition`, {
        to: "medium",
        at: "2022-08-09T09:00:00+08:00",
        reason: "连续7天无新增感染，第7天全员核酸阴性",
        fingerprint: "00000000",
      });
      assert.equal(r.status, 409);
    });

    test("the command confirms: the high area ends and a linked medium area opens in one audited step", async () => {
      const r = await t.call(command, "POST", `/api/areas/${highId}/transition`, {
        to: "medium",
        at: "2022-08-09T09:00:00+08:00",
        reason: "连续7天无新增感染，第7天全员核酸阴性",
        fingerprint,
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().ended.to, "2022-08-09T01:00:00.000Z");
      assert.equal(r.json().opened.kind, "medium");
      assert.equal(r.json().opened.previousId, highId);
      assert.equal(r.json().opened.linkedCase, "NX-2022-0801-01");
      const inForce = await t.call(command, "GET", `/api/areas?at=${enc("2022-08-10T00:00:00+08:00")}`);
      assert.deepEqual(
        inForce.json().items.map((a: { kind: string }) => a.kind),
        ["medium"],
      );
      const audit = await t.call(admin, "GET", `/api/audit?action=area.transition&entityId=${highId}`);
      assert.equal(audit.json().total, 1);
      const again = await t.call(command, "POST", `/api/areas/${highId}/transition`, {
        to: "medium",
        at: "2022-08-09T10:00:00+08:00",
        reason: "重复",
        fingerprint,
      });
      assert.equal(again.status, 422, "an ended designation cannot be downgraded twice");
    });

    test("「The medium area that results drops to low after a further 3 days without new infections.」 the linked medium area is proposed as low on 08-13", async () => {
      const items = await proposals("2022-08-13T00:00:00+08:00");
      assert.equal(items.length, 1);
      assert.equal(items[0]?.proposal.transitionId, "medium-after-high-to-low-3-days");
      assert.equal(items[0]?.proposal.status, "ready");
      const pending = await proposals("2022-08-12T12:00:00+08:00");
      assert.equal(pending[0]?.proposal.status, "pending");
    });
  });
}
