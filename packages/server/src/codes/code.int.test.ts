import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { importPublicKey, verifyCode } from "@cordon/domain/codes/format";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { runCodeWork } from "./code-worker.ts";

// A citizen of 崇安社区 in Xingqing district, tested in a pool of 5 during a designated-area round.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const CHONGAN = "640104001002";
const HOURS = 3_600_000;
const START = new Date("2022-04-10T08:00:00+08:00");
const packs = loadShippedPacks();

for (const engine of testEngines()) {
  describe(`health codes: colours by rule with reasons, signed codes, revocations and overrides (${engine})`, () => {
    let t: TestApp;
    let clock = START;
    let command: string;
    let secondCommand: string;
    let grid: string;
    let lab: string;
    let citizen: string;
    let personId: string;
    let round: string;
    let point: string;
    let seq = 700;
    const others: string[] = [];

    const person = async () => {
      const r = await t.call(command, "POST", "/api/people", personPayload(CHONGAN, seq++));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const work = () => runCodeWork(t.db, packs, clock);
    /** Sessions as of the test clock (they lapse when a test moves the clock by hours). */
    const logIn = async () => {
      command = await t.userSession("command", XINGQING);
      secondCommand = await t.userSession("command", XINGQING);
      grid = await t.userSession("grid_worker", XINGQING);
      lab = await t.userSession("lab", XINGQING);
      citizen = await t.userSession("citizen", CHONGAN, { personId });
    };
    const myCode = async () => {
      const r = await t.call(citizen, "GET", "/api/me/code");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return r.json();
    };
    const scanner = async () => {
      const k = (await t.call(null, "GET", "/api/codes/keys")).json();
      const keys = new Map<number, Awaited<ReturnType<typeof importPublicKey>>>();
      for (const key of k.keys) keys.set(key.kid, await importPublicKey(key.publicKey));
      const rev = (await t.call(null, "GET", "/api/codes/revocations")).json();
      const revocations = new Map<string, number>(
        rev.revocations.map((x: { ref: string; downgradedAt: string }) => [
          x.ref,
          Math.floor(Date.parse(x.downgradedAt) / 1000),
        ]),
      );
      return (code: string) =>
        verifyCode(code, {
          keys,
          revocations,
          nowSeconds: Math.floor(clock.getTime() / 1000),
          skewSeconds: k.policy.skewSeconds,
        });
    };
    const labResult = (barcode: string, result: string, testedAt: Date) =>
      t.call(lab, "POST", "/api/nat/lab-results", {
        results: [
          {
            barcode,
            result,
            ct: result === "positive" ? { orf1ab: 28.4, n: 26.9 } : { orf1ab: null, n: null },
            testedAt: testedAt.toISOString(),
            lab: "宁夏医科大学总医院检验科",
          },
        ],
      });

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      personId = await person();
      for (let i = 0; i < 4; i++) others.push(await person());
      await logIn();
      point = (
        await t.call(command, "POST", "/api/nat/sampling-points", {
          name: "崇安社区采样点",
          address: "崇安巷1号",
          regionCode: TOWNSHIP,
          hours: "07:00-21:00",
          desks: 4,
          capacityPerHour: 180,
        })
      ).json().id;
      const c = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "胜利街区域核酸",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: START.toISOString(),
        rounds: 3,
      });
      round = c.json().roundList[0].id;
    });
    after(() => t.close());

    test("a person with nothing on record has a green code, signed by a published key, with no name or ID number in it", async () => {
      const c = await myCode();
      assert.equal(c.colour, "green");
      assert.ok(c.reasons.length >= 1, "a green code also says why");
      assert.equal(
        Date.parse(c.expiresAt) - Date.parse(c.issuedAt),
        300_000,
        "valid for the policy's 5 minutes",
      );
      const verify = await scanner();
      const v = await verify(c.code);
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.colour, "green");
      const payload = Buffer.from(c.code.split(".")[1], "base64url").toString("latin1");
      const p = (await t.call(command, "GET", `/api/people/${personId}`)).json();
      assert.ok(
        !payload.includes(p.name) && !c.code.includes(p.documentNumber ?? "no-such"),
        "no identity in it",
      );
    });

    test("a positive pool turns the code yellow at the next pass of the worker, says which tube, and revokes the green code already issued", async () => {
      const r = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "HC-P-0001",
        roundId: round,
        samplingPointId: point,
        person: { personId },
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      for (const id of others)
        assert.equal(
          (await t.call(grid, "POST", "/api/nat/tubes/HC-P-0001/swabs", { personId: id })).status,
          201,
        );
      await t.call(grid, "POST", "/api/nat/tubes/HC-P-0001/seal");
      clock = new Date(START.getTime() + 3 * HOURS);
      await logIn();
      const green = await myCode();
      assert.equal(green.colour, "green", "green while the tube is at the lab");
      assert.equal(
        (await labResult("HC-P-0001", "positive", new Date(START.getTime() + 2 * HOURS))).status,
        200,
      );
      const done = await work();
      assert.ok(done.changed >= 1, JSON.stringify(done));
      const c = await myCode();
      assert.equal(c.colour, "yellow");
      assert.equal(c.since, clock.toISOString());
      const reason = c.reasons.find((x: { colour: string }) => x.colour === "yellow");
      assert.match(reason.message.zh, /HC-P-0001/);
      assert.match(reason.message.en, /HC-P-0001/);
      assert.ok(reason.clears, "the reason says what turns it green");
      const verify = await scanner();
      const old = await verify(green.code);
      assert.deepEqual(
        [old.ok, !old.ok && old.reason],
        [false, "revoked"],
        "the green code issued before is refused",
      );
      const fresh = await verify(c.code);
      assert.ok(fresh.ok && fresh.colour === "yellow", "the new yellow code verifies");
      const staff = (await t.call(command, "GET", `/api/people/${personId}/code`)).json();
      assert.deepEqual(
        staff.history.map((h: { fromColour: string | null; toColour: string }) => [h.fromColour, h.toColour]),
        [
          ["green", "yellow"],
          [null, "green"],
        ],
      );
      assert.match(staff.history[0].cause, /nat_recalls/);
    });

    test("a negative single-tube retest turns it green again, with the change on record", async () => {
      const r = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "HC-R-0001",
        roundId: round,
        samplingPointId: point,
        person: { personId },
        retest: true,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      await t.call(grid, "POST", "/api/nat/tubes/HC-R-0001/seal");
      clock = new Date(START.getTime() + 8 * HOURS);
      await logIn();
      assert.equal(
        (await labResult("HC-R-0001", "negative", new Date(START.getTime() + 7 * HOURS))).status,
        200,
      );
      await work();
      const c = await myCode();
      assert.equal(c.colour, "green");
      const staff = (await t.call(command, "GET", `/api/people/${personId}/code`)).json();
      assert.deepEqual([staff.history[0].fromColour, staff.history[0].toColour], ["yellow", "green"]);
    });

    test("a sealed zone over the person's community turns the code red (a region signal reaches everyone living in it)", async () => {
      const a = await t.call(command, "POST", "/api/areas", {
        regionCode: CHONGAN,
        kind: "sealed",
        from: clock.toISOString(),
        reason: "崇安社区发现确诊病例，划为封控区",
      });
      assert.equal(a.status, 201, JSON.stringify(a.json()));
      await work();
      const c = await myCode();
      assert.equal(c.colour, "red");
      assert.ok(c.reasons.some((x: { code: string }) => x.code === "risk_area"));
      clock = new Date(clock.getTime() + HOURS);
      assert.equal(
        (
          await t.call(command, "POST", `/api/areas/${a.json().id}/end`, {
            at: clock.toISOString(),
            reason: "解封",
          })
        ).status,
        200,
      );
      await work();
      assert.equal((await myCode()).colour, "green");
    });

    test("an override needs a written reason and a second user, lasts its hours, is shown to the person and listed on the report", async () => {
      await logIn();
      const short = await t.call(command, "POST", `/api/people/${personId}/code/overrides`, {
        colour: "red",
        reason: "核查",
        hours: 24,
      });
      assert.equal(short.status, 422);
      assert.equal(short.json().error.fields[0].code, "override.reason");
      const tooLong = await t.call(command, "POST", `/api/people/${personId}/code/overrides`, {
        colour: "red",
        reason: "协查函通报此人与外省病例同航班，待核实",
        hours: 1000,
      });
      assert.equal(tooLong.json().error.fields[0].code, "override.hours");
      const req = await t.call(command, "POST", `/api/people/${personId}/code/overrides`, {
        colour: "yellow",
        reason: "协查函通报此人与外省病例同航班，待核实",
        hours: 24,
      });
      assert.equal(req.status, 201, JSON.stringify(req.json()));
      const id = req.json().id;
      await work();
      assert.equal((await myCode()).colour, "green", "a request alone changes nothing");
      const self = await t.call(command, "POST", `/api/codes/overrides/${id}/decision`, { approve: true });
      assert.deepEqual([self.status, self.json().error.code], [403, "override.same_user"]);
      const grid2 = await t.call(grid, "POST", `/api/codes/overrides/${id}/decision`, { approve: true });
      assert.equal(grid2.status, 403, "a grid worker may not approve");
      const ok = await t.call(secondCommand, "POST", `/api/codes/overrides/${id}/decision`, {
        approve: true,
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.json()));
      await work();
      const c = await myCode();
      assert.equal(c.colour, "yellow");
      assert.equal(c.override.reason, "协查函通报此人与外省病例同航班，待核实");
      assert.ok(c.reasons.some((x: { code: string }) => x.code === "override"));
      const report = (await t.call(command, "GET", "/api/codes/overrides")).json();
      const row = report.items.find((x: { id: string }) => x.id === id);
      assert.deepEqual([row.status, row.inForce, row.colour], ["approved", true, "yellow"]);
      assert.notEqual(row.requestedBy, row.decidedBy);
      // 24 hours later it has expired: the rules' colour returns at the recheck.
      clock = new Date(clock.getTime() + 25 * HOURS);
      await logIn();
      await work();
      assert.equal((await myCode()).colour, "green");
      const audit = await t.db.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE entity_type = 'health_code' ORDER BY at, id`,
      );
      assert.deepEqual(
        audit.rows.map((r) => r.action),
        ["code_override.request", "code_override.approve"],
      );
    });

    test("no path sets colours in bulk: the API has no such endpoint, and a second open request for one person is refused", async () => {
      const a = await t.call(command, "POST", `/api/people/${others[0]}/code/overrides`, {
        colour: "red",
        reason: "公安协查通报此人涉疫情风险，需核实行程",
        hours: 12,
      });
      assert.equal(a.status, 201);
      const b = await t.call(command, "POST", `/api/people/${others[0]}/code/overrides`, {
        colour: "red",
        reason: "公安协查通报此人涉疫情风险，需核实行程",
        hours: 12,
      });
      assert.equal(b.status, 409);
      const bulk = await t.call(command, "POST", "/api/codes/overrides", {
        personIds: others,
        colour: "red",
      });
      assert.equal(bulk.status, 404);
    });

    test("a key rotation: the new key signs, codes of the old key still verify until they expire", async () => {
      await logIn();
      const before = await myCode();
      const admin = await t.userSession("administrator", "000000");
      const r = await t.call(admin, "POST", "/api/codes/keys/rotate");
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const after = await myCode();
      const kidOf = (code: string) => Buffer.from(code.split(".")[1]!, "base64url").readUInt32BE(1);
      assert.equal(kidOf(after.code), r.json().kid);
      assert.notEqual(kidOf(before.code), kidOf(after.code));
      const verify = await scanner();
      assert.ok((await verify(before.code)).ok, "the old key is still published");
      assert.ok((await verify(after.code)).ok);
      const notAdmin = await t.call(command, "POST", "/api/codes/keys/rotate");
      assert.equal(notAdmin.status, 403);
    });
  });
}
