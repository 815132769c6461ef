import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

const QILIN_COMMUNITY = "530302001001";
const FENGTING_VILLAGE = "350322102001";

for (const engine of testEngines()) {
  describe(`policy packs API (${engine})`, () => {
    let t: TestApp;
    let grid: string;
    let command: string;

    before(async () => {
      t = await testApp(engine);
      grid = await t.userSession("grid_worker", "640324100");
      command = await t.userSession("command", "150000");
    });
    after(() => t.close());

    test("the list needs a login; any logged-in user sees every pack with its validity and source", async () => {
      assert.equal((await t.call(null, "GET", "/api/policies")).status, 401);
      const r = await t.call(grid, "GET", "/api/policies");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const qilin = r.json().items.find((p: { id: string }) => p.id === "qilin-2020-12-winter-spring");
      assert.ok(qilin, "the Qilin pack is listed");
      assert.equal(qilin.jurisdiction, "530302");
      assert.equal(qilin.effectiveFrom, "2020-12-21");
      assert.equal(qilin.effectiveTo, "2021-05-11");
      assert.equal(qilin.source.date, "2020-12-21");
      assert.ok(qilin.ruleCount >= 1);
      assert.ok(r.json().items.length >= 8);
    });

    test("a pack's rules carry the quoted source sentence and an English gloss; an unknown id is 404", async () => {
      const r = await t.call(grid, "GET", "/api/policies/qilin-2020-12-winter-spring");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const rule = r.json().rules.find((x: { id: string }) => x.id === "overseas-14-days-three-negatives");
      assert.equal(rule.category, "inbound_overseas");
      assert.deepEqual(rule.measures.centralizedQuarantine, { days: 14 });
      assert.match(rule.source.quote, /集中隔离14天/);
      assert.match(rule.source.en, /14 days/);
      assert.equal((await t.call(grid, "GET", "/api/policies/no-such-pack")).status, 404);
    });

    test("an overseas arrival in a Qilin community in December 2020 gets 14 days of centralized quarantine", async () => {
      const r = await t.call(grid, "POST", "/api/policies/explain", {
        at: "2020-12-25T10:00",
        regionCode: QILIN_COMMUNITY,
        facts: { inboundOverseas: true },
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const d = r.json();
      assert.equal(d.status, "decided");
      assert.equal(d.pack.id, "qilin-2020-12-winter-spring");
      assert.deepEqual(d.measures.centralizedQuarantine, { days: 14 });
      assert.equal(d.explanation[0].ruleId, "overseas-14-days-three-negatives");
      assert.match(d.explanation[0].source.quote, /境外/);
    });

    test("risk areas given with the request are used: a Hulunbuir arrival from a medium-risk Fengting town", async () => {
      const r = await t.call(command, "POST", "/api/policies/explain", {
        at: "2021-09-14T16:00",
        regionCode: "150702",
        facts: { travelHistory: [{ regionCode: FENGTING_VILLAGE, from: "2021-09-01", to: "2021-09-13" }] },
        riskAreas: [{ regionCode: "350322102", level: "medium", from: "2021-09-12", to: null }],
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().status, "decided");
      assert.equal(r.json().pack.id, "hulunbuir-2021-09-putian");
      assert.equal(r.json().explanation[0].matchedFacts[0].fact, "travelHistory[0]");
    });

    test("no pack in force is an explicit answer, not an error", async () => {
      const r = await t.call(grid, "POST", "/api/policies/explain", {
        at: "2019-01-01",
        regionCode: QILIN_COMMUNITY,
        facts: {},
      });
      assert.equal(r.status, 200);
      assert.equal(r.json().status, "no_pack");
    });

    test("a bad facts body is refused with field errors", async () => {
      const r = await t.call(grid, "POST", "/api/policies/explain", {
        at: "2020-12-25",
        regionCode: QILIN_COMMUNITY,
        facts: {
          inboundOverseas: "yes",
          spaceship: true,
          contacts: [{ kind: "friend", lastExposureAt: "x" }],
        },
      });
      assert.equal(r.status, 400, JSON.stringify(r.json()));
      const fields = (r.json().error.fields ?? []).map((f: { field: string }) => f.field);
      assert.ok(
        fields.some((f: string) => f.startsWith("facts")),
        JSON.stringify(fields),
      );
    });
  });
}
