import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 麒麟区 (530302), Qujing: the county sets its own deadlines; one township below it sets another.
const QILIN = "530302";
const QILIN_TOWNSHIP = "530302001";
const QILIN_COMMUNITY = "530302001001";

for (const engine of testEngines()) {
  describe(`deadlines a jurisdiction sets for itself (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2020-12-25T10:00:00+08:00");
    let command: string;
    let grid: string;
    let admin: string;

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", QILIN);
      grid = await t.userSession("grid_worker", QILIN);
      admin = await t.userSession("administrator", "000000");
    });
    after(() => t.close());

    test("with nothing set, the defaults: 24 h for an arrival task, midnight of the day for an assist list", async () => {
      const r = await t.call(grid, "GET", `/api/deadlines?regionCode=${QILIN_COMMUNITY}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(r.json(), {
        regionCode: QILIN_COMMUNITY,
        own: null,
        effective: {
          arrivalTask: { rule: { kind: "hours", hours: 24 }, setBy: null },
          assistList: { rule: { kind: "end_of_day" }, setBy: null },
        },
      });
    });

    test("the county command sets 12 h for its arrivals; a community below inherits it and a new task is due in 12 h", async () => {
      const r = await t.call(command, "PUT", `/api/deadlines/${QILIN}`, {
        arrivalTask: { kind: "hours", hours: 12 },
        assistList: null,
        version: 0,
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const below = await t.call(grid, "GET", `/api/deadlines?regionCode=${QILIN_COMMUNITY}`);
      assert.deepEqual(below.json().effective.arrivalTask, {
        rule: { kind: "hours", hours: 12 },
        setBy: QILIN,
      });
      const audit = await t.call(admin, "GET", `/api/audit?action=deadline.set&entityId=${QILIN}`);
      assert.equal(audit.json().total, 1);

      const p = await t.call(grid, "POST", "/api/people", personPayload(QILIN_COMMUNITY, 31));
      assert.equal(p.status, 201, JSON.stringify(p.json()));
      const a = await t.call(grid, "POST", "/api/arrivals", {
        personId: p.json().id,
        arrivalAt: "2020-12-25T09:00:00+08:00",
        destinationRegionCode: QILIN_COMMUNITY,
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(a.status, 201, JSON.stringify(a.json()));
      assert.equal(a.json().task.dueAt, "2020-12-25T14:00:00.000Z", "12 h after 10:00 Beijing time");
    });

    test("a township's own setting overrides the county's for its subtree", async () => {
      const r = await t.call(command, "PUT", `/api/deadlines/${QILIN_TOWNSHIP}`, {
        arrivalTask: { kind: "end_of_day" },
        assistList: { kind: "hours", hours: 6 },
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const below = await t.call(grid, "GET", `/api/deadlines?regionCode=${QILIN_COMMUNITY}`);
      assert.deepEqual(below.json().effective, {
        arrivalTask: { rule: { kind: "end_of_day" }, setBy: QILIN_TOWNSHIP },
        assistList: { rule: { kind: "hours", hours: 6 }, setBy: QILIN_TOWNSHIP },
      });
    });

    test("a deadline of 0 or 200 hours is refused with a reason and nothing changes", async () => {
      for (const hours of [0, 200]) {
        const r = await t.call(command, "PUT", `/api/deadlines/${QILIN}`, {
          arrivalTask: { kind: "hours", hours },
          assistList: null,
        });
        assert.equal(r.status, 422, JSON.stringify(r.json()));
        assert.equal(r.json().error.fields[0].code, "deadline.hours_range");
      }
      const still = await t.call(grid, "GET", `/api/deadlines?regionCode=${QILIN}`);
      assert.deepEqual(still.json().own, {
        arrivalTask: { kind: "hours", hours: 12 },
        assistList: null,
        version: 1,
      });
    });

    test("a stale version is a 409; a grid worker may not set deadlines; a county may not set its neighbour's", async () => {
      const stale = await t.call(command, "PUT", `/api/deadlines/${QILIN}`, {
        arrivalTask: { kind: "hours", hours: 8 },
        assistList: null,
        version: 0,
      });
      assert.equal(stale.status, 409);
      const g = await t.call(grid, "PUT", `/api/deadlines/${QILIN}`, { arrivalTask: null, assistList: null });
      assert.equal(g.status, 403);
      const other = await t.call(command, "PUT", "/api/deadlines/530303", {
        arrivalTask: null,
        assistList: null,
      });
      assert.equal(other.status, 403);
      assert.equal(other.json().error.code, "outside_jurisdiction");
    });
  });
}
