import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

// 兴庆区 (Yinchuan), April 2022: a screening round finds a positive single tube. No pack carries a
// `tracing` block, so seed 000's clocks apply (2 h on site, 4 h judgment, 24 h closed, 2 h direct
// report) and the loop's 48 h.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const CHONGAN = "640104001002";
const XINGLONG = "640104001003";
const QILIN_COMMUNITY = "530302001001";
const HOUR = 3_600_000;
const SAMPLED = new Date("2022-04-12T08:00:00+08:00");
const CONFIRMED = new Date("2022-04-12T14:00:00+08:00");

for (const engine of testEngines()) {
  describe(`case investigation and contact tracing (${engine})`, () => {
    let t: TestApp;
    let clock = new Date("2022-04-12T07:00:00+08:00");
    const at = (base: Date, hours: number) => new Date(base.getTime() + hours * HOUR);
    let admin: string;
    let command: string;
    let investigator: string;
    let grid: string;
    let lab: string;
    let otherInvestigator: string;
    let seq = 700;
    let caseId: string;
    let patient: string;
    let household: string;
    let diner: string;
    let workmate: string;
    let driver: string;
    let old: string;
    let reportedAt: Date;
    const contactsById = new Map<string, string>();

    const login = async () => {
      admin = await t.userSession("administrator", "000000");
      command = await t.userSession("command", XINGQING);
      investigator = await t.userSession("investigator", XINGQING);
      grid = await t.userSession("grid_worker", TOWNSHIP);
      lab = await t.userSession("lab", XINGQING);
      otherInvestigator = await t.userSession("investigator", "640105");
    };
    const setClock = async (d: Date) => {
      clock = d;
      await login();
    };
    const person = async (community: string) => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(community, seq++));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const exposure = (body: Record<string, unknown>, who = investigator) =>
      t.call(who, "POST", `/api/tracing/cases/${caseId}/exposures`, body);
    const detail = async (who = investigator) => {
      const r = await t.call(who, "GET", `/api/tracing/cases/${caseId}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      return r.json();
    };
    const step = (contactId: string, body: Record<string, unknown>) =>
      t.call(investigator, "POST", `/api/tracing/contacts/${contactId}/steps`, body);
    const stored = async () =>
      (
        await t.db.query<Record<string, unknown>>(
          `SELECT (SELECT count(*)::int FROM tracing_cases) AS cases,
             (SELECT count(*)::int FROM tracing_exposures) AS exposures,
             (SELECT count(*)::int FROM tracing_contacts) AS contacts,
             (SELECT string_agg(coalesce(verified_at::text, '-') || coalesce(isolated_at::text, '-') || version, ',' ORDER BY id)
                FROM tracing_contacts) AS steps,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'tracing.%') AS audit`,
        )
      ).rows[0]!;

    before(async () => {
      t = await testApp(engine, () => clock);
      await login();
      patient = await person(CHONGAN);
      household = await person(CHONGAN);
      diner = await person(XINGLONG);
      workmate = await person(XINGLONG);
      driver = await person(QILIN_COMMUNITY);
      old = await person(CHONGAN);
      // The screening round: the patient's single tube, sampled at 08:00, positive at the lab.
      const p = await t.call(command, "POST", "/api/nat/sampling-points", {
        name: "崇安社区采样点",
        address: "崇安巷1号",
        regionCode: TOWNSHIP,
        hours: "07:00-21:00",
        desks: 2,
        capacityPerHour: 120,
      });
      assert.equal(p.status, 201, JSON.stringify(p.json()));
      const c = await t.call(command, "POST", "/api/nat/campaigns", {
        name: "胜利街区域核酸",
        kind: "designated_area",
        regionCodes: [TOWNSHIP],
        startsAt: clock.toISOString(),
        rounds: 1,
      });
      assert.equal(c.status, 201, JSON.stringify(c.json()));
      clock = SAMPLED;
      const tube = await t.call(grid, "POST", "/api/nat/tubes", {
        barcode: "S-7001",
        roundId: c.json().roundList[0].id,
        samplingPointId: p.json().id,
        person: { personId: patient },
        size: 1,
      });
      assert.equal(tube.status, 201, JSON.stringify(tube.json()));
      assert.equal((await t.call(grid, "POST", "/api/nat/tubes/S-7001/seal")).status, 200);
      clock = at(SAMPLED, 4);
      const r = await t.call(lab, "POST", "/api/nat/lab-results", {
        results: [
          {
            barcode: "S-7001",
            result: "positive",
            ct: { orf1ab: 24.1, n: 22.7 },
            testedAt: at(SAMPLED, 3.5).toISOString(),
            lab: "宁夏医科大学总医院检验科",
          },
        ],
      });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().caseCandidates, 1);
    });
    after(() => t.close());

    test("a positive single tube becomes a case with an investigation whose on-site clock runs 2 hours (seed 000)", async () => {
      await setClock(at(CONFIRMED, 0.5));
      const list = await t.call(investigator, "GET", "/api/tracing/candidates");
      assert.equal(list.status, 200, JSON.stringify(list.json()));
      const candidate = list.json().items.find((k: { personId: string }) => k.personId === patient);
      assert.ok(candidate, "the positive single tube waits for investigation");
      assert.equal(candidate.barcode, "S-7001");

      reportedAt = at(CONFIRMED, 0.25);
      const r = await t.call(investigator, "POST", `/api/tracing/cases/from-candidate/${candidate.id}`, {
        classification: "confirmed_mild",
        source: "local",
        onsetDate: "2022-04-11",
        confirmedAt: CONFIRMED.toISOString(),
        reportedAt: reportedAt.toISOString(),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const c = r.json();
      caseId = c.id;
      assert.deepEqual(
        [c.personId, c.foundBy, c.samplingDate, c.candidateId, c.barcode, c.status],
        [patient, "screening", "2022-04-12", candidate.id, "S-7001", "investigating"],
      );

      const d = await detail();
      const onSite = d.clocks.find((k: { milestone: string }) => k.milestone === "onSite");
      assert.equal(onSite.limitHours, 2);
      assert.equal(onSite.state, "pending");
      assert.equal(onSite.dueAt, at(reportedAt, 2).toISOString());
      assert.equal(onSite.remainingMs, 1.75 * HOUR, "a countdown from now (15 minutes after the report)");
      assert.deepEqual(
        d.clocks.map((k: { milestone: string; limitHours: number }) => [k.milestone, k.limitHours]),
        [
          ["directReport", 2],
          ["onSite", 2],
          ["preliminary", 4],
          ["closed", 24],
        ],
      );
      assert.equal(d.policy.origin, "default");
      // Look-back: 2 days before the onset on 04-11.
      assert.equal(d.window.startDate, "2022-04-09");
      assert.equal(d.window.basis, "onset");

      const again = await t.call(investigator, "POST", `/api/tracing/cases/from-candidate/${candidate.id}`, {
        classification: "confirmed_mild",
        source: "local",
        confirmedAt: CONFIRMED.toISOString(),
      });
      assert.equal(again.status, 409);
      assert.equal(again.json().error.code, "case.candidate_taken");
      const left = await t.call(investigator, "GET", "/api/tracing/candidates");
      assert.equal(
        left.json().items.some((k: { id: string }) => k.id === candidate.id),
        false,
        "a taken candidate leaves the list",
      );
      const audit = await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'tracing.case_from_candidate' AND entity_id = $1",
        [caseId],
      );
      assert.equal(audit.rows[0]!.n, 1);
    });

    test("a grid worker reads the case but cannot investigate; an investigator of another district cannot read it", async () => {
      assert.equal((await t.call(grid, "GET", `/api/tracing/cases/${caseId}`)).status, 200);
      const w = await exposure(
        {
          exposedPersonId: household,
          at: "2022-04-10T19:00:00+08:00",
          setting: "household",
          proximity: "within_1m",
        },
        grid,
      );
      assert.equal(w.status, 403);
      const r = await t.call(otherInvestigator, "GET", `/api/tracing/cases/${caseId}`);
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, "outside_jurisdiction");
    });

    test("a case infecting itself is refused, and so is an exposure in the future; nothing is stored", async () => {
      const before = await stored();
      const self = await exposure({
        exposedPersonId: patient,
        at: "2022-04-10T19:00:00+08:00",
        setting: "household",
        proximity: "within_1m",
      });
      assert.equal(self.status, 422);
      assert.deepEqual(
        self.json().error.fields.map((f: { code: string }) => f.code),
        ["exposure.self"],
      );
      const future = await t.call(
        investigator,
        "POST",
        `/api/tracing/cases/${caseId}/exposures`,
        {
          exposedPersonId: household,
          at: at(clock, 1).toISOString(),
          setting: "household",
          proximity: "within_1m",
        },
        { "accept-language": "en" },
      );
      assert.equal(future.status, 422);
      assert.equal(future.json().error.fields[0].code, "exposure.future_time");
      assert.match(future.json().error.fields[0].message, /in the future/);
      assert.deepEqual(await stored(), before);
    });

    test("an exposure before the source's look-back window is kept with a flag and makes no contact", async () => {
      const r = await exposure({
        exposedPersonId: old,
        at: "2022-04-02T19:00:00+08:00",
        durationMinutes: 120,
        setting: "household",
        proximity: "within_1m",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      assert.deepEqual(
        r.json().flags.map((f: { code: string }) => f.code),
        ["exposure.before_look_back"],
      );
    });

    test("a household member exposed in the look-back window is a close contact; their own workmates are secondary contacts", async () => {
      const exposures = [
        {
          exposedPersonId: household,
          at: "2022-04-10T19:00:00+08:00",
          durationMinutes: 600,
          setting: "household",
          proximity: "within_1m",
        },
        // A diner across the hall: inside the window, but no rule is met.
        {
          exposedPersonId: diner,
          at: "2022-04-11T12:00:00+08:00",
          durationMinutes: 45,
          setting: "dining",
          proximity: "same_venue",
        },
        // A driver from Qilin (Yunnan) within 1 m in his car: close, and outside Yinchuan's jurisdiction.
        {
          exposedPersonId: driver,
          at: "2022-04-11T08:30:00+08:00",
          durationMinutes: 25,
          setting: "vehicle",
          proximity: "within_1m",
        },
      ];
      for (const e of exposures) {
        const r = await exposure(e);
        assert.equal(r.status, 201, JSON.stringify(r.json()));
      }
      // Read back in time order (the case's itinerary), with the flagged one from before the window.
      const listed = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/exposures`);
      assert.equal(listed.status, 200, JSON.stringify(listed.json()));
      const items = listed.json().items as {
        exposedPersonId: string;
        at: string;
        exposedPersonName: string;
      }[];
      assert.deepEqual(
        items.map((e) => e.exposedPersonId),
        [old, household, driver, diner],
      );
      assert.ok(items.every((e) => e.exposedPersonName.length >= 2));
      // The secondary search needs the close contacts first: a workmate's exposure cannot be recorded yet.
      const early = await exposure({
        sourcePersonId: household,
        exposedPersonId: workmate,
        at: "2022-04-11T09:00:00+08:00",
        durationMinutes: 240,
        setting: "work_class",
        proximity: "same_room",
      });
      assert.equal(early.status, 422);
      assert.equal(early.json().error.fields[0].code, "exposure.source_not_close_contact");

      let r = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/classify`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(r.json().counts, { close: 2, secondary: 0, general: 1, assist: 1 });
      const close = r.json().contacts.find((c: { personId: string }) => c.personId === household);
      assert.equal(close.kind, "close");
      assert.equal(close.rule.id, "household");
      assert.equal(close.explanation.zh, "密切接触者：同住家庭成员");
      const general = r.json().contacts.find((c: { personId: string }) => c.personId === diner);
      assert.equal(general.kind, "general");
      assert.match(general.explanation.en, /does not meet the close-contact criteria/);
      const assist = r.json().contacts.find((c: { personId: string }) => c.personId === driver);
      assert.deepEqual([assist.kind, assist.assist, assist.regionCode], ["close", true, QILIN_COMMUNITY]);
      assert.equal(
        r.json().contacts.some((c: { personId: string }) => c.personId === old),
        false,
        "the flagged exposure before the window makes no contact",
      );

      const w = await exposure({
        sourcePersonId: household,
        exposedPersonId: workmate,
        at: "2022-04-11T09:00:00+08:00",
        durationMinutes: 240,
        setting: "work_class",
        proximity: "same_room",
      });
      assert.equal(w.status, 201, JSON.stringify(w.json()));
      r = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/classify`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(r.json().counts, { close: 2, secondary: 1, general: 1, assist: 1 });
      const secondary = r.json().contacts.find((c: { personId: string }) => c.personId === workmate);
      assert.deepEqual(
        [secondary.kind, secondary.viaPersonId, secondary.rule.id],
        ["secondary", household, "work_class"],
      );
      for (const c of r.json().contacts) contactsById.set(c.personId, c.id);
      assert.equal(contactsById.get(household), close.id, "re-classifying keeps the contact's id");
    });

    test("a step out of order or in the future is refused and nothing changes", async () => {
      const before = await stored();
      const id = contactsById.get(workmate)!;
      const out = await step(id, { step: "isolate", at: at(clock, -1).toISOString() });
      assert.equal(out.status, 422);
      assert.equal(out.json().error.fields[0].code, "loop.out_of_order");
      const future = await step(id, { step: "verify", at: at(clock, 2).toISOString() });
      assert.equal(future.status, 422);
      assert.equal(future.json().error.fields[0].code, "loop.future_time");
      const general = await step(contactsById.get(diner)!, { step: "verify" });
      assert.equal(general.status, 409);
      assert.equal(general.json().error.code, "contact.general_no_loop");
      const wrong = await step(id, { step: "verify", placementId: "0190b4c2-7a1e-7000-8000-000000000001" });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.json().error.fields[0].code, "contact.placement_only_on_isolate");
      assert.deepEqual(await stored(), before);
    });

    test("a contact verified, transferred, tested and isolated 30 hours after confirmation closes the loop within 48 h", async () => {
      await setClock(at(CONFIRMED, 31));
      const id = contactsById.get(household)!;
      for (const [s, h] of [
        ["verify", 2],
        ["transfer", 10],
        ["test", 20],
      ] as const) {
        const r = await step(id, { step: s, at: at(CONFIRMED, h).toISOString() });
        assert.equal(r.status, 200, JSON.stringify(r.json()));
        assert.equal(r.json().loop.state, "open");
      }
      const unknown = await step(id, {
        step: "isolate",
        at: at(CONFIRMED, 30).toISOString(),
        placementId: "0190b4c2-7a1e-7000-8000-000000000001",
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.json().error.fields[0].code, "contact.placement_unknown");
      const r = await step(id, { step: "isolate", at: at(CONFIRMED, 30).toISOString() });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(
        [r.json().loop.state, r.json().loop.loopMs, r.json().loop.limitHours],
        ["on_time", 30 * HOUR, 48],
      );
      const d = await detail();
      assert.equal(d.loop.byState.on_time, 1);
      assert.equal(d.loop.slowest.personId, household);
      assert.equal(d.loop.closed, null, "the driver and the workmate are still open");
      assert.deepEqual(d.loop.atStep, { verify: 2, transfer: 0, test: 0, isolate: 0 });
    });

    test("milestones are recorded in order; an investigation past 24 hours and contacts past 48 hours are escalated to the command", async () => {
      const pre = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/milestones`, {
        milestone: "preliminary",
        at: at(reportedAt, 3).toISOString(),
      });
      assert.equal(pre.status, 422);
      assert.equal(pre.json().error.fields[0].code, "investigation.out_of_order");
      const onSite = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/milestones`, {
        milestone: "onSite",
        at: at(reportedAt, 2.5).toISOString(),
      });
      assert.equal(onSite.status, 200, JSON.stringify(onSite.json()));
      const k = onSite.json().clocks.find((c: { milestone: string }) => c.milestone === "onSite");
      assert.deepEqual([k.state, k.lateByMs], ["done_late", 0.5 * HOUR]);

      await setClock(at(CONFIRMED, 50));
      const r = await t.call(command, "GET", "/api/tracing/escalations");
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const items = r.json().items as {
        kind: string;
        milestone: string | null;
        contactPersonId: string | null;
      }[];
      assert.deepEqual(
        items
          .filter((e) => e.kind === "milestone")
          .map((e) => e.milestone)
          .sort(),
        ["closed", "directReport", "preliminary"],
      );
      assert.deepEqual(
        items
          .filter((e) => e.kind === "contact_loop")
          .map((e) => e.contactPersonId)
          .sort(),
        [driver, workmate].sort(),
        "the isolated household member is not escalated",
      );
      const overdue = await t.call(command, "GET", "/api/tracing/cases?overdue=true");
      assert.equal(overdue.status, 200, JSON.stringify(overdue.json()));
      assert.deepEqual(
        overdue.json().items.map((s: { case: { id: string } }) => s.case.id),
        [caseId],
      );
    });

    test("the isolate step links the contact's own quarantine placement; a contact isolated after 48 h is late", async () => {
      // The driver is placed at a site in Qilin, where the national 8th edition decides his measures.
      const site = await t.call(admin, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "麒麟区集中隔离点（演示）",
        address: "南宁西路1号",
        regionCode: "530302",
      });
      assert.equal(site.status, 201, JSON.stringify(site.json()));
      const placed = await t.call(admin, "POST", "/api/quarantine/placements", {
        siteId: site.json().id,
        people: [
          {
            personId: driver,
            facts: { contacts: [{ kind: "close", lastExposureAt: "2022-04-11T08:55:00+08:00" }] },
          },
        ],
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.json()));
      const placementId = placed.json().items[0].id as string;
      const workmateContact = contactsById.get(workmate)!;
      for (const s of ["verify", "transfer", "test"])
        assert.equal((await step(workmateContact, { step: s })).status, 200);
      const other = await step(workmateContact, { step: "isolate", placementId });
      assert.equal(other.status, 422);
      assert.equal(other.json().error.fields[0].code, "contact.placement_other_person");

      const id = contactsById.get(driver)!;
      for (const s of ["verify", "transfer", "test"]) assert.equal((await step(id, { step: s })).status, 200);
      const r = await step(id, { step: "isolate" });
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().placementId, placementId, "linked to the placement he is in");
      assert.deepEqual([r.json().loop.state, r.json().loop.lateByMs], ["late", 2 * HOUR]);
    });

    test("a contact who becomes a case is the same person, with both histories", async () => {
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: household,
        classification: "asymptomatic",
        foundBy: "quarantine",
        source: "linked",
        linkedCaseId: caseId,
        samplingDate: "2022-04-13",
        confirmedAt: at(CONFIRMED, 40).toISOString(),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const own = await t.call(investigator, "GET", `/api/tracing/cases/${r.json().id}`);
      assert.deepEqual(
        own.json().asContact.map((a: { caseId: string; kind: string }) => [a.caseId, a.kind]),
        [[caseId, "close"]],
      );
      const d = await detail();
      const c = d.contacts.find((x: { personId: string }) => x.personId === household);
      assert.equal(c.ownCaseId, r.json().id);
      const twice = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: household,
        classification: "confirmed_mild",
        foundBy: "quarantine",
        source: "local",
        onsetDate: "2022-04-13",
        confirmedAt: at(CONFIRMED, 40).toISOString(),
      });
      assert.equal(twice.status, 409);
      assert.equal(twice.json().error.code, "case.exists");
    });

    test("a case by hand with a future onset, no confirmation time and no linked case is refused with every field named", async () => {
      const before = await stored();
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: diner,
        classification: "confirmed_moderate",
        foundBy: "fever_clinic",
        source: "linked",
        onsetDate: "2022-05-01",
      });
      assert.equal(r.status, 422);
      assert.deepEqual(
        r
          .json()
          .error.fields.map((f: { code: string }) => f.code)
          .sort(),
        ["case.confirmation_required", "case.future_date", "case.linked_case_required"],
      );
      assert.deepEqual(await stored(), before);
    });

    test("a suspected case has no loop clock until it is confirmed", async () => {
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: diner,
        classification: "suspected",
        foundBy: "fever_clinic",
        source: "local",
        onsetDate: "2022-04-13",
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      const suspect = r.json().id as string;
      const e = await t.call(investigator, "POST", `/api/tracing/cases/${suspect}/exposures`, {
        exposedPersonId: old,
        at: "2022-04-13T19:00:00+08:00",
        setting: "household",
        proximity: "within_1m",
      });
      assert.equal(e.status, 201, JSON.stringify(e.json()));
      const k = await t.call(investigator, "POST", `/api/tracing/cases/${suspect}/classify`);
      assert.equal(k.status, 200, JSON.stringify(k.json()));
      assert.equal(k.json().contacts[0].loop.state, "not_started");
      const c = await t.call(investigator, "POST", `/api/tracing/cases/${suspect}/classification`, {
        classification: "confirmed_moderate",
        confirmedAt: at(CONFIRMED, 45).toISOString(),
        reason: "复核阳性",
      });
      assert.equal(c.status, 200, JSON.stringify(c.json()));
      assert.deepEqual([c.json().classification, c.json().version], ["confirmed_moderate", 2]);
      const after = await t.call(investigator, "GET", `/api/tracing/cases/${suspect}`);
      assert.deepEqual(
        [after.json().contacts[0].loop.state, after.json().contacts[0].loop.dueAt],
        ["open", at(CONFIRMED, 45 + 48).toISOString()],
      );
      const audit = await t.db.query<{
        before: { classification: string };
        after: { classification: string };
      }>("SELECT before, after FROM audit_log WHERE action = 'tracing.case_classify' AND entity_id = $1", [
        r.json().id,
      ]);
      assert.deepEqual(
        [audit.rows[0]!.before.classification, audit.rows[0]!.after.classification],
        ["suspected", "confirmed_moderate"],
      );
    });
  });
}
