import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (640104), Yinchuan, Ningxia: the citizen lives and arrives here; the Ningxia winter-spring
// notice of 2021-12-07 is in force for arrivals on 2021-12-20.
const XINGQING = "640104";
const COMMUNITY = "640104001002";
const TOWNSHIP = "640104001";
const ARRIVAL = "2021-12-20T15:00:00+08:00";

interface Item {
  id: string;
  reportedBy: string;
}

for (const engine of testEngines()) {
  describe(`citizen self-report of an arrival (来返报备) (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2021-12-20T18:00:00+08:00");
    let citizen: string;
    let unlinked: string;
    let grid: string;
    let admin: string;
    let personId: string;
    let taskId: string;

    before(async () => {
      t = await testApp(engine, () => clock);
      grid = await t.userSession("grid_worker", XINGQING);
      admin = await t.userSession("administrator", "000000");
      const p = await t.call(grid, "POST", "/api/people", personPayload(COMMUNITY, 31));
      assert.equal(p.status, 201, JSON.stringify(p.json()));
      personId = p.json().id;
      citizen = await t.userSession("citizen", XINGQING, { personId });
      unlinked = await t.userSession("citizen", XINGQING);
    });
    after(() => t.close());

    test("a citizen back from abroad reports on their phone: 7 days centralized, 7 at home, a task due in 24 h", async () => {
      const r = await t.call(citizen, "POST", "/api/me/arrivals", {
        arrivalAt: ARRIVAL,
        destinationRegionCode: COMMUNITY,
        originRegionCode: "110000",
        route: "北京首都机场入境 → 银川河东机场",
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const { arrival, task } = r.json();
      assert.equal(arrival.personId, personId, "the person is the citizen's own");
      assert.equal(arrival.reportedBy, "citizen");
      assert.equal(arrival.decision.pack.id, "ningxia-2021-12-winter-spring");
      assert.deepEqual(arrival.decision.measures.centralizedQuarantine, { days: 7 });
      assert.equal(arrival.decision.explanation[0].ruleId, "inbound-7-7-four-tests");
      assert.equal(task.regionCode, COMMUNITY);
      assert.equal(task.dueAt, "2021-12-21T10:00:00.000Z", "24 hours after the report at 18:00");
      taskId = task.id;
      const audit = await t.call(
        admin,
        "GET",
        `/api/audit?action=arrival.self_report&entityId=${arrival.id}`,
      );
      assert.equal(audit.json().total, 1);
    });

    test("the grid worker's list shows who reported it, from where, and its measures to put in words", async () => {
      const r = await t.call(grid, "GET", "/api/arrivals/tasks");
      const item = r.json().items.find((i: Item) => i.id === taskId);
      assert.ok(item, "the task is on the list");
      assert.equal(item.reportedBy, "citizen");
      assert.equal(item.originRegionCode, "110000");
      assert.equal(item.originRegionName, "北京市");
      assert.equal(item.route, "北京首都机场入境 → 银川河东机场");
      assert.equal(item.regionName.length > 0, true);
      assert.deepEqual(item.decidedMeasures.centralizedQuarantine, { days: 7 });
      assert.deepEqual(item.decidedMeasures.homeHealthMonitoring, { days: 7 });
      assert.equal(item.packTitle.zh.length > 0, true);
    });

    test("the citizen sees their report with its measures, and its status as the steps are taken", async () => {
      for (const [step, at] of [
        ["verify", "2021-12-20T19:00:00+08:00"],
        ["transfer", "2021-12-20T20:00:00+08:00"],
        ["test", "2021-12-20T21:00:00+08:00"],
        ["control", "2021-12-20T22:00:00+08:00"],
        ["released", "2022-01-03T22:00:00+08:00"],
      ] as const) {
        const s = await t.call(grid, "POST", `/api/arrivals/tasks/${taskId}/steps`, { step, at });
        assert.equal(s.status, 200, JSON.stringify(s.json()));
      }
      const mine = await t.call(citizen, "GET", "/api/me/arrivals");
      assert.equal(mine.status, 200, JSON.stringify(mine.json()));
      assert.equal(mine.json().items.length, 1);
      const [a] = mine.json().items;
      assert.equal(a.destinationRegionCode, COMMUNITY);
      assert.equal(a.decision.measures.centralizedQuarantine.days, 7);
      assert.equal(a.task.status, "released");
      assert.deepEqual(
        a.task.steps.map((s: { step: string }) => s.step),
        ["verify", "transfer", "test", "control", "released"],
      );
      assert.equal("by" in a.task.steps[0], false, "the citizen is not shown staff account ids");
    });

    test("the list says who took each step, by account name", async () => {
      const r = await t.call(grid, "GET", "/api/arrivals/tasks");
      const item = r.json().items.find((i: Item) => i.id === taskId);
      assert.equal(item.steps.length, 5);
      assert.ok(
        item.steps.every((s: { byName: string }) => /^grid_worker \d+$/.test(s.byName)),
        JSON.stringify(item.steps),
      );
    });

    test("a citizen, who may not browse the region pages, finds the places for the form by name or code", async () => {
      assert.equal((await t.call(citizen, "GET", "/api/regions?q=640104001002")).status, 403);
      const byCode = await t.call(citizen, "GET", `/api/me/arrivals/places?q=${COMMUNITY}`);
      assert.equal(byCode.status, 200, JSON.stringify(byCode.json()));
      assert.equal(byCode.json().items[0].code, COMMUNITY);
      assert.equal(byCode.json().items[0].level, "community");
      const byName = await t.call(citizen, "GET", `/api/me/arrivals/places?q=${encodeURIComponent("北京")}`);
      assert.ok(byName.json().items.some((r: { code: string }) => r.code === "110000"));
      assert.equal((await t.call(null, "GET", `/api/me/arrivals/places?q=${COMMUNITY}`)).status, 401);
    });

    test("an account not linked to a person is refused with a reason, and nothing is stored", async () => {
      const r = await t.call(unlinked, "POST", "/api/me/arrivals", {
        arrivalAt: ARRIVAL,
        destinationRegionCode: COMMUNITY,
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, "no_linked_person");
      assert.match(r.json().error.message, /关联居民档案/);
      assert.equal((await t.call(unlinked, "GET", "/api/me/arrivals")).status, 403);
      const counts = await t.call(grid, "GET", `/api/arrivals/counts?regionCode=${TOWNSHIP}`);
      const community = counts.json().items.find((c: { code: string }) => c.code === COMMUNITY);
      assert.equal(community.registered, 1, "only the linked citizen's report");
    });

    test("a county as destination, an unknown origin, a reversed stay and a date months ahead are each refused under their field", async () => {
      const r = await t.call(citizen, "POST", "/api/me/arrivals", {
        arrivalAt: "2022-03-01T10:00:00+08:00",
        destinationRegionCode: XINGQING,
        originRegionCode: "999999",
        travelHistory: [{ regionCode: "110000", from: "2021-12-15", to: "2021-12-10" }],
        facts: {},
      });
      assert.equal(r.status, 422, JSON.stringify(r.json()));
      assert.deepEqual(
        r
          .json()
          .error.fields.map((f: { field: string; code: string }) => [f.field, f.code])
          .sort(),
        [
          ["arrivalAt", "arrival.too_far_ahead"],
          ["destinationRegionCode", "arrival.destination_level"],
          ["originRegionCode", "region.unknown"],
          ["travelHistory.0.to", "travel.range"],
        ],
      );
      assert.equal((await t.call(citizen, "GET", "/api/me/arrivals")).json().items.length, 1);
    });

    test("a citizen cannot state contact status on the self-report, nor register for someone else", async () => {
      const contacts = await t.call(citizen, "POST", "/api/me/arrivals", {
        arrivalAt: ARRIVAL,
        destinationRegionCode: COMMUNITY,
        travelHistory: [],
        facts: { contacts: [{ kind: "close", lastExposureAt: "2021-12-19" }] },
      });
      assert.equal(contacts.status, 400);
      const other = await t.call(citizen, "POST", "/api/arrivals", {
        personId,
        arrivalAt: ARRIVAL,
        destinationRegionCode: COMMUNITY,
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(other.status, 403);
    });
  });
}
