import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 麒麟区 (530302), Qujing, Yunnan — seed 002's county; a community in its first township.
const QILIN = "530302";
const QILIN_TOWNSHIP = "530302001";
const QILIN_COMMUNITY = "530302001001";
// 同心县 (640324), Ningxia: another county.
const TONGXIN = "640324";

interface Step {
  step: string;
  at: string;
  by: string;
}

for (const engine of testEngines()) {
  describe(`arrival screening and control tasks (${engine})`, () => {
    let t: TestApp;
    let clock = new Date();
    let grid: string;
    let otherGrid: string;
    let command: string;
    let admin: string;
    let personId: string;
    let taskId: string;

    /** Moves the test clock; sessions are logged in again, since they expire with the clock. */
    async function setClock(at: string): Promise<void> {
      clock = new Date(at);
      grid = await t.userSession("grid_worker", QILIN);
      otherGrid = await t.userSession("grid_worker", TONGXIN);
      command = await t.userSession("command", "530000");
      admin = await t.userSession("administrator", "000000");
    }

    before(async () => {
      t = await testApp(engine, () => clock);
      await setClock("2020-12-25T10:00:00+08:00");
      const p = await t.call(grid, "POST", "/api/people", personPayload(QILIN_COMMUNITY, 21));
      assert.equal(p.status, 201, JSON.stringify(p.json()));
      personId = p.json().id;
    });
    after(() => t.close());

    test("a Qilin grid worker registers an overseas arrival on 2020-12-25: 14 days centralized, 3 negatives, due in 24 h", async () => {
      const r = await t.call(grid, "POST", "/api/arrivals", {
        personId,
        arrivalAt: "2020-12-25T09:00:00+08:00",
        destinationRegionCode: QILIN_COMMUNITY,
        originRegionCode: "530100",
        route: "昆明长水机场入境 → 曲靖",
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const { arrival, task } = r.json();
      assert.equal(arrival.decision.status, "decided");
      assert.match(arrival.decision.pack.id, /qilin-2020-12/);
      assert.deepEqual(arrival.decision.measures.centralizedQuarantine, { days: 14 });
      assert.equal(arrival.decision.measures.release.negativeTests, 3);
      assert.equal(arrival.decision.explanation[0].ruleId, "overseas-14-days-three-negatives");
      assert.ok(task, "a control task is opened");
      assert.equal(task.status, "pending");
      assert.equal(task.regionCode, QILIN_COMMUNITY);
      assert.equal(
        task.dueAt,
        "2020-12-26T02:00:00.000Z",
        "24 hours after registration at 10:00 Beijing time",
      );
      taskId = task.id;
      const audit = await t.call(admin, "GET", `/api/audit?action=arrival.register&entityId=${arrival.id}`);
      assert.equal(audit.json().total, 1);
    });

    test("the task is listed in Qilin with the person's masked ID and its measures; not to another county", async () => {
      const r = await t.call(grid, "GET", "/api/arrivals/tasks");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const item = r.json().items.find((i: { id: string }) => i.id === taskId);
      assert.ok(item);
      assert.equal(item.personName, "马晓燕");
      assert.match(item.documentNumberMasked, /^530302\*{8}/);
      assert.deepEqual(item.decidedMeasures.centralizedQuarantine, { days: 14 });
      assert.equal(item.overdue, false);
      const other = await t.call(otherGrid, "GET", "/api/arrivals/tasks");
      assert.equal(other.status, 200);
      assert.equal(other.json().items.length, 0);
      const asked = await t.call(otherGrid, "GET", `/api/arrivals/tasks?regionCode=${QILIN_COMMUNITY}`);
      assert.equal(asked.status, 403);
      const step = await t.call(otherGrid, "POST", `/api/arrivals/tasks/${taskId}/steps`, {
        step: "verify",
        at: "2020-12-25T11:00:00+08:00",
      });
      assert.equal(step.status, 403);
      const reg = await t.call(otherGrid, "POST", "/api/arrivals", {
        personId,
        arrivalAt: "2020-12-25T09:00:00+08:00",
        destinationRegionCode: QILIN_COMMUNITY,
        travelHistory: [],
        facts: { inboundOverseas: true },
      });
      assert.equal(reg.status, 403);
    });

    test("past its due time and still not under control, the task shows as overdue", async () => {
      await setClock("2020-12-26T11:00:00+08:00");
      const r = await t.call(grid, "GET", "/api/arrivals/tasks?overdue=true");
      assert.deepEqual(
        r.json().items.map((i: { id: string }) => i.id),
        [taskId],
      );
      assert.equal(r.json().items[0].overdue, true);
      const counts = await t.call(grid, "GET", `/api/arrivals/counts?regionCode=${QILIN}`);
      assert.equal(counts.status, 200, JSON.stringify(counts.json()));
      const township = counts.json().items.find((c: { code: string }) => c.code === QILIN_TOWNSHIP);
      assert.deepEqual(
        { registered: township.registered, overdue: township.overdue, released: township.released },
        { registered: 1, overdue: 1, released: 0 },
      );
    });

    test("skipping a step (核 → 检) is refused with 422 and a bilingual reason; a stale version is 409", async () => {
      const verify = await t.call(grid, "POST", `/api/arrivals/tasks/${taskId}/steps`, {
        step: "verify",
        at: "2020-12-25T10:30:00+08:00",
      });
      assert.equal(verify.status, 200, JSON.stringify(verify.json()));
      const skip = await t.call(
        grid,
        "POST",
        `/api/arrivals/tasks/${taskId}/steps`,
        { step: "test", at: "2020-12-25T11:00:00+08:00" },
        { "accept-language": "en" },
      );
      assert.equal(skip.status, 422);
      assert.equal(skip.json().error.fields[0].code, "task.step_skipped");
      assert.match(skip.json().error.fields[0].message, /skip/);
      const zh = await t.call(grid, "POST", `/api/arrivals/tasks/${taskId}/steps`, {
        step: "test",
        at: "2020-12-25T11:00:00+08:00",
      });
      assert.match(zh.json().error.fields[0].message, /不能跳过/);
      const stale = await t.call(grid, "POST", `/api/arrivals/tasks/${taskId}/steps`, {
        step: "transfer",
        at: "2020-12-25T12:00:00+08:00",
        version: 1,
      });
      assert.equal(stale.status, 409);
    });

    test("verify → transfer → test → control → released, each step timestamped and attributed; audited", async () => {
      let last;
      for (const [step, at] of [
        ["transfer", "2020-12-25T12:00:00+08:00"],
        ["test", "2020-12-25T13:00:00+08:00"],
        ["control", "2020-12-25T14:00:00+08:00"],
        ["released", "2021-01-08T14:00:00+08:00"],
      ] as const) {
        last = await t.call(grid, "POST", `/api/arrivals/tasks/${taskId}/steps`, { step, at });
        assert.equal(last.status, 200, JSON.stringify(last.json()));
      }
      const task = last!.json();
      assert.equal(task.status, "released");
      assert.deepEqual(
        task.steps.map((s: Step) => [s.step, s.at]),
        [
          ["verify", "2020-12-25T02:30:00.000Z"],
          ["transfer", "2020-12-25T04:00:00.000Z"],
          ["test", "2020-12-25T05:00:00.000Z"],
          ["control", "2020-12-25T06:00:00.000Z"],
          ["released", "2021-01-08T06:00:00.000Z"],
        ],
      );
      assert.ok(task.steps.every((s: Step) => s.by === task.steps[0].by && s.by.length > 0));
      const audit = await t.call(admin, "GET", `/api/audit?action=task.step&entityId=${taskId}`);
      assert.equal(audit.json().total, 5);
    });

    test("counts roll up community → township → county → city for the daily report", async () => {
      await setClock("2021-01-09T10:00:00+08:00");
      const county = await t.call(command, "GET", `/api/arrivals/counts?regionCode=${QILIN}`);
      const township = county.json().items.find((c: { code: string }) => c.code === QILIN_TOWNSHIP);
      assert.deepEqual(
        { registered: township.registered, overdue: township.overdue, released: township.released },
        { registered: 1, overdue: 0, released: 1 },
      );
      const city = await t.call(command, "GET", "/api/arrivals/counts?regionCode=530300");
      const qilin = city.json().items.find((c: { code: string }) => c.code === QILIN);
      assert.equal(qilin.released, 1);
      const inTownship = await t.call(command, "GET", `/api/arrivals/counts?regionCode=${QILIN_TOWNSHIP}`);
      const community = inTownship.json().items.find((c: { code: string }) => c.code === QILIN_COMMUNITY);
      assert.equal(community.registered, 1);
      const outside = await t.call(otherGrid, "GET", `/api/arrivals/counts?regionCode=${QILIN}`);
      assert.equal(outside.status, 403);
    });
  });
}
