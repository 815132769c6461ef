import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// A round in two communities of Xingqing's first township, no zones designated (pools of 10, the
// national figure for elsewhere); results from two labs.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const CHONGAN = "640104001002";
const XINGLONG = "640104001003";
const LAB_A = "宁夏医科大学总医院检验科";
const LAB_B = "银川市第一人民医院PCR实验室";
const HOURS = 3_600_000;
const START = new Date("2022-04-10T08:00:00+08:00");

for (const engine of testEngines()) {
  describe(`nucleic acid lab results, recall lists and turnaround (${engine})`, () => {
    let t: TestApp;
    let clock = START;
    let command: string;
    let grid: string;
    let lab: string;
    let otherLab: string;
    let point: string;
    let campaign: string;
    let round1: string;
    let seq = 500;
    const chongan: string[] = [];
    const xinglong: string[] = [];

    const person = async (community: string) => {
      const r = await t.call(command, "POST", "/api/people", personPayload(community, seq++));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    /** A tube at the desk with these people, sealed. */
    const tube = async (barcode: string, ids: string[], size?: number) => {
      const r = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode,
        roundId: round1,
        samplingPointId: point,
        person: { personId: ids[0] },
        ...(size ? { size } : {}),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      for (const id of ids.slice(1))
        assert.equal(
          (await t.call(grid, "POST", `/api/nat/tubes/${barcode}/swabs`, { personId: id })).status,
          201,
        );
      assert.equal((await t.call(grid, "POST", `/api/nat/tubes/${barcode}/seal`)).status, 200);
    };
    const counts = async () =>
      (
        await t.db.query<{ results: number; candidates: number; recalls: number; closed: number }>(
          `SELECT (SELECT count(*)::int FROM nat_lab_results) AS results,
             (SELECT count(*)::int FROM nat_case_candidates) AS candidates,
             (SELECT count(*)::int FROM nat_recalls) AS recalls,
             (SELECT count(*)::int FROM nat_swab_results WHERE closed_at IS NOT NULL) AS closed`,
        )
      ).rows[0]!;
    const send = (results: Record<string, unknown>[], who = lab) =>
      t.call(who, "POST", "/api/nat/lab-results", { results });
    const csv = (text: string, who = lab) =>
      t.call(who, "POST", "/api/nat/lab-results/import?fileName=results.csv", text, {
        "content-type": "text/csv",
      });
    const result = (barcode: string, call: string, extra: Record<string, unknown> = {}) => ({
      barcode,
      result: call,
      ct: call === "positive" ? { orf1ab: 28.4, n: 26.9 } : { orf1ab: null, n: null },
      testedAt: "2022-04-10T10:30:00+08:00",
      lab: LAB_A,
      ...extra,
    });

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      lab = await t.userSession("lab", XINGQING);
      otherLab = await t.userSession("lab", "640105");
      for (let i = 0; i < 10; i++) chongan.push(await person(CHONGAN));
      for (let i = 0; i < 6; i++) xinglong.push(await person(XINGLONG));
      const p = await t.call(command, "POST", "/api/nat/sampling-points", {
        name: "崇安社区采样点",
        address: "崇安巷1号",
        regionCode: TOWNSHIP,
        hours: "07:00-21:00",
        desks: 4,
        capacityPerHour: 180,
      });
      point = p.json().id;
      const c = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "胜利街区域核酸",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: START.toISOString(),
        rounds: 3,
      });
      campaign = c.json().id;
      round1 = c.json().roundList[0].id;
      // A pool of 5 across both communities, a pool of 4, a single tube, two more pools for later.
      await tube("P-0001", [chongan[0]!, chongan[1]!, chongan[2]!, xinglong[0]!, xinglong[1]!]);
      await tube("P-0002", [chongan[3]!, chongan[4]!, chongan[5]!, chongan[6]!]);
      await tube("S-0001", [chongan[7]!], 1);
      await tube("P-0003", [xinglong[2]!, xinglong[3]!]);
      await tube("P-0004", [xinglong[4]!]);
      await tube("P-0005", [chongan[8]!, chongan[9]!]);
      await tube("P-0006", [xinglong[5]!]);
    });
    after(() => t.close());

    test("a batch: a positive pool recalls its 5 members, a negative pool closes 4 tests, a positive single tube makes a case candidate, an unknown barcode is reported", async () => {
      clock = new Date(START.getTime() + 3 * HOURS);
      const r = await send([
        result("P-0001", "positive"),
        result("P-0002", "negative"),
        result("S-0001", "阳性", { ct: { orf1ab: 31.2, n: null } }),
        result("NO-SUCH-TUBE", "negative"),
      ]);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const b = r.json();
      assert.deepEqual(
        [b.received, b.recorded, b.unknown, b.testsClosed, b.caseCandidates, b.recalled],
        [4, 3, 1, 4, 1, 5],
      );
      assert.deepEqual(
        b.outcomes.map((o: { barcode: string; status: string; effect: string | null }) => [
          o.barcode,
          o.status,
          o.effect,
        ]),
        [
          ["P-0001", "recorded", "recall"],
          ["P-0002", "recorded", "tests_closed"],
          ["S-0001", "recorded", "case_candidate"],
          ["NO-SUCH-TUBE", "unknown_tube", null],
        ],
      );
      assert.deepEqual(await counts(), { results: 3, candidates: 1, recalls: 5, closed: 10 });
    });

    test("the recall list: the pool's members grouped by community, due 2 h after the result (policy recall.deadlineHours)", async () => {
      const r = await t.call(grid, "GET", `/api/nat/campaigns/${campaign}/recall`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const l = r.json();
      assert.equal(l.people, 5);
      assert.deepEqual(
        l.groups.map(
          (g: { communityCode: string; communityName: string; deadline: string; members: unknown[] }) => [
            g.communityCode,
            g.communityName,
            g.deadline,
            g.members.length,
          ],
        ),
        [
          [CHONGAN, "崇安社区居委会", new Date(START.getTime() + 5 * HOURS).toISOString(), 3],
          [XINGLONG, "兴隆社区居委会", new Date(START.getTime() + 5 * HOURS).toISOString(), 2],
        ],
      );
      assert.equal(l.groups[0].members[0].name, "马晓燕");
      assert.deepEqual(l.groups[0].members[0].barcodes, ["P-0001"]);
      assert.equal((await t.call(otherLab, "GET", `/api/nat/campaigns/${campaign}/recall`)).status, 403);
    });

    test("re-sending the batch changes nothing; a different result for a tube is kept once as a conflict, the first stays", async () => {
      const again = await send([result("P-0001", "positive"), result("P-0002", "negative")]);
      assert.deepEqual([again.json().unchanged, again.json().recorded], [2, 0]);
      assert.deepEqual(await counts(), { results: 3, candidates: 1, recalls: 5, closed: 10 });
      const differ = await send([result("P-0002", "positive")]);
      assert.equal(differ.json().conflicts, 1);
      assert.deepEqual(differ.json().outcomes[0].differs, ["call", "ct"]);
      assert.match(differ.json().outcomes[0].message.en, /kept for review/);
      await send([result("P-0002", "positive")]);
      const rows = await t.db.query<{ outcome: string; result: string }>(
        `SELECT outcome, result FROM nat_lab_results WHERE barcode = 'P-0002' ORDER BY outcome`,
      );
      assert.deepEqual(
        rows.rows.map((x) => [x.outcome, x.result]),
        [
          ["conflict", "positive"],
          ["recorded", "negative"],
        ],
      );
      const swab = await t.db.query<{ result: string }>(
        `SELECT DISTINCT result FROM nat_swab_results WHERE tube_barcode = 'P-0002'`,
      );
      assert.deepEqual(swab.rows, [{ result: "negative" }]);
    });

    test("a batch with bad results is refused whole, every bad one named; nothing stored", async () => {
      const before = await counts();
      const r = await send([
        result("P-0003", "negative"),
        result("P-0004", "maybe"),
        result("P-0005", "positive", { ct: { orf1ab: 45, n: 30 } }),
        result("P-0006", "negative", { testedAt: "2022-04-10T07:00:00+08:00" }),
      ]);
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [
          ["results[1].call", "nat.invalid_call"],
          ["results[2].ct.orf1ab", "nat.ct_out_of_range"],
          ["results[3].testedAt", "nat.tested_before_sampling"],
        ],
      );
      assert.deepEqual(await counts(), before);
      assert.equal((await send([result("P-0003", "negative")], otherLab)).status, 403);
      assert.equal((await send([result("P-0003", "negative")], grid)).status, 403);
    });

    test("a result file with wrong columns is refused, naming them", async () => {
      const r = await csv("条码,结果,ORF1ab,N基因,检测时间\nP-0003,阴性,,,2022-04-10 12:00\n");
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { code: string }) => f.code),
        ["nat.file_unknown_column", "nat.file_missing_columns"],
      );
    });

    test("a result file with bad rows is refused whole, each bad row named by its line", async () => {
      clock = new Date(START.getTime() + 8 * HOURS);
      const before = await counts();
      const r = await csv(
        [
          "barcode,result,ct_orf1ab,ct_n,tested_at,lab",
          `P-0003,negative,,,2022-04-10T15:00:00+08:00,${LAB_B}`,
          `P-0004,positive,abc,30,2022-04-10T15:00:00+08:00,${LAB_B}`,
          `P-0005,negative,,,yesterday,${LAB_B}`,
          `P-0006,unknown,,,2022-04-10T15:00:00+08:00,${LAB_B}`,
        ].join("\n"),
      );
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string }) => f.field),
        ["rows[3].ct_orf1ab", "rows[4].tested_at", "rows[5].call"],
      );
      assert.match(r.json().error.fields[2].message, /^第 5 行/);
      assert.deepEqual(await counts(), before);
    });

    test("a good file in Chinese headings (GB-style 阴性/阳性) is stored; sent again, nothing is stored twice", async () => {
      clock = new Date(START.getTime() + 8 * HOURS);
      const file = [
        "试管条码,检测结果,ORF1ab,N_Ct,检测时间,检测机构",
        `P-0003,阴性,,,2022-04-10T15:00,${LAB_B}`,
        `P-0005,阴性,未检出,未检出,2022-04-10 15:10,${LAB_B}`,
      ].join("\n");
      const r = await csv(file);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual([r.json().recorded, r.json().testsClosed], [2, 4]);
      const again = await csv(file);
      assert.deepEqual([again.json().recorded, again.json().unchanged], [0, 2]);
      assert.equal((await counts()).results, 6);
      const audit = await t.db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE action IN ('nat.lab_results', 'nat.lab_import') GROUP BY action ORDER BY action`,
      );
      assert.deepEqual(
        audit.rows.map((a) => [a.action, a.n]),
        [
          ["nat.lab_import", 2],
          ["nat.lab_results", 4],
        ],
      );
    });

    test("a result received after the round's 24 h deadline is recorded and flagged late", async () => {
      clock = new Date(START.getTime() + 25 * HOURS);
      // A new day's shift: yesterday's sessions have run out.
      lab = await t.userSession("lab", XINGQING);
      command = await t.userSession("command", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      const r = await send([
        result("P-0004", "negative", { lab: LAB_B, testedAt: "2022-04-11T08:30:00+08:00" }),
      ]);
      assert.deepEqual([r.json().recorded, r.json().late, r.json().outcomes[0].status], [1, 1, "late"]);
      assert.match(r.json().outcomes[0].message.en, /after the round's deadline/);
    });

    test("turnaround per lab, first swab → result: A 3 h for 3 tubes; B 8 h, 8 h and 25 h; one tube pending and overdue", async () => {
      const r = await t.call(command, "GET", `/api/nat/campaigns/${campaign}?round=1`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const d = r.json();
      const byLab = Object.fromEntries(
        d.turnaround.map(
          (l: { lab: string; n: number; median: number; p90: number; withinTarget: number }) => [
            l.lab,
            [l.n, l.median, l.p90, l.withinTarget],
          ],
        ),
      );
      assert.deepEqual(byLab, { [LAB_A]: [3, 3, 3, 1], [LAB_B]: [3, 8, 25, 0] });
      assert.deepEqual(d.pending, { tubes: 1, overdue: 1 });
      assert.equal(d.turnaroundTargetHours, 6);
      assert.deepEqual(
        [d.counts.negative, d.counts.positive, d.counts.poolPositive, d.counts.conflicts, d.counts.late],
        [9, 1, 5, 1, 1],
      );
    });

    test("a recalled member is retested in a single tube the same round; the negative retest shows on the recall list", async () => {
      const notRecalled = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "R-0002",
        roundId: round1,
        samplingPointId: point,
        person: { personId: chongan[8] },
        retest: true,
      });
      assert.deepEqual(
        [notRecalled.status, notRecalled.json().error.fields[0].code],
        [422, "nat.no_open_recall"],
      );
      const r = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "R-0001",
        roundId: round1,
        samplingPointId: point,
        person: { personId: chongan[0] },
        retest: true,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.deepEqual([r.json().tube.size, r.json().tube.purpose], [1, "retest"]);
      const twice = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "R-0003",
        roundId: round1,
        samplingPointId: point,
        person: { personId: chongan[0] },
        retest: true,
      });
      assert.equal(twice.json().error.fields[0].code, "nat.person_already_sampled");
      await t.call(grid, "POST", "/api/nat/tubes/R-0001/seal");
      clock = new Date(START.getTime() + 26 * HOURS);
      const res = await send([
        result("R-0001", "negative", { testedAt: new Date(START.getTime() + 25.5 * HOURS).toISOString() }),
      ]);
      assert.equal(res.json().testsClosed, 1);
      const list = (await t.call(grid, "GET", `/api/nat/campaigns/${campaign}/recall`)).json();
      const member = list.groups[0].members.find((m: { personId: string }) => m.personId === chongan[0]);
      assert.deepEqual([member.retest.barcode, member.retest.result], ["R-0001", "negative"]);
      const d = (await t.call(command, "GET", `/api/nat/campaigns/${campaign}?round=1`)).json();
      assert.deepEqual([d.counts.swabs, d.counts.retests], [16, 1]);
    });

    test("the planner at Xi'an's ratios (protocols.md §3.2): 12.317 M people in 24 h need about 11,669 desks; the township's 4 registered desks fall short", async () => {
      const r = await t.call(command, "POST", "/api/nat/plan", {
        regionCode: TOWNSHIP,
        population: 12_317_000,
        deadlineHours: 24,
        workingHoursPerDay: 24,
        poolMix: [{ size: 10, share: 1 }],
        registered: { samplers: 20_000 },
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const p = r.json();
      assert.ok(Math.abs(p.plan.figures.desks.value - 11_669) <= 1, String(p.plan.figures.desks.value));
      assert.equal(p.plan.tubes, 1_231_700);
      const gap = Object.fromEntries(
        p.gaps.map((g: { kind: string; registered: number; shortfall: number }) => [
          g.kind,
          [g.registered, g.shortfall],
        ]),
      );
      assert.deepEqual(gap.desks, [4, p.plan.figures.desks.value - 4]);
      assert.deepEqual(gap.samplingPoints[0], 1);
      assert.deepEqual(gap.samplers, [20_000, p.plan.figures.samplers.value - 20_000]);
      const bad = await t.call(command, "POST", "/api/nat/plan", {
        population: 1000,
        deadlineHours: 24,
        workingHoursPerDay: 12,
        poolMix: [{ size: 10, share: 0.5 }],
      });
      assert.deepEqual([bad.status, bad.json().error.fields[0].code], [422, "nat.pool_mix_total"]);
      assert.equal(
        (
          await t.call(grid, "POST", "/api/nat/plan", {
            population: 1,
            deadlineHours: 1,
            workingHoursPerDay: 1,
            poolMix: [{ size: 1, share: 1 }],
          })
        ).status,
        403,
      );
    });

    test("Qilin, January 2021: a whole-population campaign is due in 120 h (seed 002 「5天内能够完成全员核酸检测任务」)", async () => {
      clock = new Date("2021-01-10T08:00:00+08:00");
      const qilin = await t.userSession("command", "530302");
      const r = await t.call(qilin, "POST", "/api/nat/campaigns", {
        name: "麒麟区全员核酸",
        kind: "whole_population",
        regionCodes: ["530302"],
        startsAt: "2021-01-10T08:00:00+08:00",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.deepEqual([r.json().deadlineHours, r.json().packId], [120, "qilin-2020-12-winter-spring"]);
      assert.match(r.json().deadlineReason.en, /within 120 h/);
    });
  });
}
