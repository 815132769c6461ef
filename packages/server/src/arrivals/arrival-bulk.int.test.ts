import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { readDecision, type StoredDecision } from "@cordon/domain/policies/stored-decision";
import { type RequestContext, systemContext } from "../http/context.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { explainPolicy } from "../policies/policy.service.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { importArrivals } from "./arrival-bulk.ts";

// 富兴社区, Tongxin county (同心县), Ningxia; 雁塔区 (610113) and 新城区 (610102), Xi'an.
const FUXING = "640324100001";
const YANTA = "610113";
const XINCHENG = "610102";
const packs = loadShippedPacks();

const count = async (t: TestApp, table: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

for (const engine of testEngines()) {
  describe(`bulk arrival classification (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2022-08-10T12:00:00+08:00");
    let ctx: RequestContext;
    const people: { id: string; documentNumber: string }[] = [];

    before(async () => {
      t = await testApp(engine, () => clock);
      ctx = systemContext(clock);
      const command = await t.userSession("command", "000000");
      for (let i = 0; i < 4; i++) {
        const r = await t.call(command, "POST", "/api/people", personPayload(FUXING, 40 + i));
        assert.equal(r.status, 201, JSON.stringify(r.json()));
        people.push({ id: r.json().id, documentNumber: r.json().documentNumber });
      }
      for (const [regionCode, kind] of [
        [YANTA, "high"],
        [XINCHENG, "medium"],
      ] as const) {
        const r = await t.call(command, "POST", "/api/areas", {
          regionCode,
          kind,
          from: "2022-08-01T00:00:00+08:00",
          reason: "本土疫情",
        });
        assert.equal(r.status, 201, JSON.stringify(r.json()));
      }
    });
    after(() => t.close());

    const lines = () => [
      {
        personId: people[0]!.id,
        arrivalAt: "2022-08-09T18:00:00+08:00",
        destinationRegionCode: FUXING,
        originRegionCode: "610113",
        route: "西安北 → 中卫南",
        travelHistory: [{ regionCode: "610113001001", from: "2022-08-03", to: "2022-08-08" }],
        facts: {},
      },
      {
        documentNumber: people[1]!.documentNumber,
        arrivalAt: "2022-08-09T20:00:00+08:00",
        destinationRegionCode: FUXING,
        travelHistory: [
          { regionCode: "610102001", from: "2022-08-05", to: "2022-08-07" },
          { regionCode: "620102", from: "2022-08-07", to: "2022-08-09" },
        ],
      },
      {
        personId: people[2]!.id,
        arrivalAt: "2022-08-09T09:00:00+08:00",
        destinationRegionCode: FUXING,
        facts: { inboundOverseas: true },
      },
      { personId: people[3]!.id, arrivalAt: "2022-08-09T10:00:00+08:00", destinationRegionCode: FUXING },
      {
        personId: people[3]!.id,
        arrivalAt: "2021-12-20T10:00:00+08:00",
        destinationRegionCode: FUXING,
        facts: { inboundOverseas: true },
      },
    ];

    test("a file with bad lines stores nothing and reports each bad line by number, field and reason", async () => {
      const good = lines().map((l) => JSON.stringify(l));
      const file = [
        good[0]!,
        "{not json",
        JSON.stringify({ ...lines()[2], personId: "01890000-0000-7000-8000-000000000000" }),
        JSON.stringify({ ...lines()[3], destinationRegionCode: "530302001001" }),
        "",
        JSON.stringify({ ...lines()[3], curfew: true }),
        JSON.stringify({ ...lines()[3], documentNumber: people[3]!.documentNumber }),
        JSON.stringify({ ...lines()[3], arrivalAt: "2022-08-09T10:00:00.123456+08:00" }),
      ];
      const s = await importArrivals(t.db, ctx, packs, file, { regionCode: "640324" });
      assert.equal(s.stored, false);
      assert.equal(s.read, 7, "the blank line is not a line of data");
      assert.deepEqual(
        s.errors.map((e) => [e.line, e.code]),
        [
          [2, "line.json"],
          [3, "person.unknown"],
          [4, "destination.outside_region"],
          [6, "line.unknown_field"],
          [7, "line.person"],
          [8, "arrivalAt.invalid"],
        ],
      );
      for (const e of s.errors) assert.ok(e.message.zh && e.message.en);
      assert.equal(await count(t, "arrivals"), 0);
      assert.equal(await count(t, "control_tasks"), 0);
    });

    test("a file whose only fault is a person not in the registry (found by the foreign key as it is stored) stores nothing and names the line", async () => {
      const good = lines().map((l) => JSON.stringify(l));
      const file = [
        ...good.slice(0, 3),
        JSON.stringify({ ...lines()[0], personId: "01890000-0000-7000-8000-00000000abcd" }),
        good[4]!,
      ];
      // Chunks of 2: the first is stored before the third, holding the unknown person, is.
      const s = await importArrivals(t.db, ctx, packs, file, { regionCode: "640324", chunkSize: 2 });
      assert.equal(s.stored, false);
      assert.equal(s.read, 5);
      assert.deepEqual(
        s.errors.map((e) => [e.line, e.field, e.code]),
        [[4, "personId", "person.unknown"]],
      );
      assert.equal(s.written, 0);
      assert.equal(await count(t, "arrivals"), 0);
      assert.equal(await count(t, "control_tasks"), 0);
    });

    test("a grid worker of another county may not import arrivals into Tongxin", async () => {
      const r = await importArrivals(
        t.db,
        {
          ...ctx,
          actor: {
            userId: "01890000-0000-7000-8000-000000000001",
            username: "g",
            displayName: "g",
            role: "grid_worker",
            jurisdiction: "530302",
            personId: null,
          },
        },
        packs,
        [JSON.stringify(lines()[0])],
        { regionCode: "640324" },
      ).catch((e: { status?: number }) => e);
      assert.equal((r as { status?: number }).status, 403);
    });

    test("a good file: every arrival gets the decision the single-arrival path (explainPolicy) gives, tasks are due 24 h after registration, one audit record", async () => {
      const input = lines();
      const s = await importArrivals(
        t.db,
        ctx,
        packs,
        input.map((l) => JSON.stringify(l)),
        { regionCode: "640324", chunkSize: 2 },
      );
      assert.equal(s.stored, true, JSON.stringify(s.errors));
      assert.deepEqual([s.written, s.decided, s.noRuleMatched], [5, 4, 1]);
      assert.equal(s.tasks, 4);
      const stored = (
        await t.db.query<{ personId: string; arrivalAt: Date; decision: StoredDecision }>(
          `SELECT person_id AS "personId", arrival_at AS "arrivalAt", decision FROM arrivals`,
        )
      ).rows.map((r) => ({ ...r, decision: readDecision(r.decision, packs) }));
      for (const [i, l] of input.entries()) {
        const personId = "personId" in l && l.personId ? l.personId : people[1]!.id;
        const row = stored.find(
          (r) => r.personId === personId && new Date(r.arrivalAt).getTime() === Date.parse(l.arrivalAt),
        );
        assert.ok(row, `line ${i + 1} stored`);
        const single = await explainPolicy(t.db, ctx, packs, {
          at: l.arrivalAt,
          regionCode: l.destinationRegionCode,
          facts: {
            ...("facts" in l ? l.facts : {}),
            travelHistory: "travelHistory" in l ? l.travelHistory : [],
          },
        });
        assert.deepEqual(row.decision, JSON.parse(JSON.stringify(single)), `line ${i + 1}`);
      }
      const byPack = stored.map((r) => (r.decision.status === "no_pack" ? null : r.decision.pack.id)).sort();
      assert.deepEqual(byPack, [
        "national-9th-edition",
        "national-9th-edition",
        "national-9th-edition",
        "national-9th-edition",
        "ningxia-2021-12-winter-spring",
      ]);
      const high = stored.find((r) => r.personId === people[0]!.id)!.decision;
      assert.equal(high.status === "decided" && high.explanation[0]?.ruleId, "high-risk-7-days-centralized");
      const due = (await t.db.query<{ due: Date }>("SELECT DISTINCT due_at AS due FROM control_tasks")).rows;
      assert.deepEqual(
        due.map((d) => new Date(d.due).toISOString()),
        ["2022-08-11T04:00:00.000Z"],
      );
      const audit = (
        await t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM audit_log WHERE action = 'arrival.import'",
        )
      ).rows[0]!.n;
      assert.equal(audit, 1);
    });
  });
}
