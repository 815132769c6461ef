import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cellOf } from "@cordon/domain/codes/co-presence";
import { v7 as uuidv7 } from "uuid";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { ScanPartitions } from "../venues/scan-partitions.ts";

// 兴庆区 (Yinchuan), April 2022, the default health-code policy (an hour's stay assumed per check-in,
// ± 30 minutes, 800 m cells, more than 10 minutes together, 30 hours in the cell, 14 days back).
// The case ate at a hot-pot restaurant on 04-18 at 12:00 (visit 12:00–13:00) and lives in 崇安社区,
// where its phone's points place it for 31 hours on 04-15/16.
const XINGQING = "640104";
const CHONGAN = "640104001002";
const NOW = new Date("2022-04-20T18:00:00+08:00");
const bj = (s: string) => new Date(`${s}+08:00`);
const HOME = { lat: 38.4872, lon: 106.2309 };
const AWAY = { lat: 38.5321, lon: 106.2309 }; // 5 km north

for (const engine of testEngines()) {
  describe(`co-presence candidates of a case, confirmed by the investigator (${engine})`, () => {
    let t: TestApp;
    const clock = NOW;
    let admin: string;
    let investigator: string;
    let seq = 300;
    let caseId: string;
    const p: Record<string, string> = {};
    const docs: Record<string, string> = {};
    const hotpot = uuidv7();
    const teahouse = uuidv7();

    const person = async (name: string) => {
      const body = personPayload(CHONGAN, seq++);
      const r = await t.call(admin, "POST", "/api/people", body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      p[name] = r.json().id as string;
      docs[name] = body.documentNumber as string;
    };
    const scan = (venue: string, who: string, at: string) => ({ venue, who, at: bj(at) });
    const upload = (csv: string, headers: Record<string, string> = {}) =>
      t.call(investigator, "POST", "/api/tracing/location-points?source=operator", csv, {
        "content-type": "text/csv",
        ...headers,
      });
    const stored = async () =>
      (
        await t.db.query<{ points: number; contacts: number; batches: number }>(
          `SELECT (SELECT count(*)::int FROM location_points) AS points,
             (SELECT count(*)::int FROM co_presence_contacts) AS contacts,
             (SELECT count(*)::int FROM location_point_batches) AS batches`,
        )
      ).rows[0]!;

    before(async () => {
      t = await testApp(engine, () => clock);
      admin = await t.userSession("administrator", "000000");
      investigator = await t.userSession("investigator", XINGQING);
      for (const n of ["patient", "a", "b", "c", "d", "e", "f", "g"]) await person(n);
      const r = await t.call(investigator, "POST", "/api/tracing/cases", {
        personId: p.patient,
        classification: "confirmed_mild",
        foundBy: "fever_clinic",
        source: "local",
        onsetDate: "2022-04-19",
        reportedAt: bj("2022-04-20T08:00:00").toISOString(),
        confirmedAt: bj("2022-04-20T09:00:00").toISOString(),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      caseId = r.json().id as string;
      for (const [id, name] of [
        [hotpot, "老城火锅"],
        [teahouse, "南门茶楼"],
      ] as const)
        await t.db.query(
          `INSERT INTO venues (id, name, kind, region_code, address, created_at, updated_at)
           VALUES ($1, $2, 'restaurant', $3, '解放西街 1 号', $4, $4)`,
          [id, name, CHONGAN, NOW],
        );
      const scans = [
        scan(hotpot, "patient", "2022-04-18T12:00:00"),
        // Within the buffer after the case's hour: 13:20–13:30 overlaps the widened visit.
        scan(hotpot, "a", "2022-04-18T13:20:00"),
        // At 14:00 the case had been gone an hour and a half.
        scan(hotpot, "b", "2022-04-18T14:00:00"),
        // Right beside the case, and already its classified contact.
        scan(hotpot, "c", "2022-04-18T12:10:00"),
        // Same time, another venue.
        scan(teahouse, "f", "2022-04-18T12:00:00"),
        // Together at the teahouse, but 19 days ago: outside the 14-day look-back.
        scan(teahouse, "patient", "2022-04-01T10:00:00"),
        scan(teahouse, "g", "2022-04-01T10:05:00"),
      ];
      await new ScanPartitions(t.db).ensure(["2022-04-01", "2022-04-18"]);
      for (const s of scans)
        await t.db.query(
          `INSERT INTO venue_scans (venue_id, id, person_id, at, way, colour, decision, received_at)
           VALUES ($1, $2, $3, $4, 'self', 'green', 'admit', $4)`,
          [s.venue, uuidv7(), p[s.who], s.at],
        );
      const exposure = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/exposures`, {
        exposedPersonId: p.c,
        at: bj("2022-04-18T12:10:00").toISOString(),
        durationMinutes: 50,
        setting: "dining",
        proximity: "same_or_next_table",
      });
      assert.equal(exposure.status, 201, JSON.stringify(exposure.json()));
      const classify = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/classify`);
      assert.equal(classify.status, 200, JSON.stringify(classify.json()));
    });
    after(() => t.close());

    test("a points file with a bad latitude, an unknown document number and a future time is refused by line, nothing stored", async () => {
      const csv = [
        "document_number,at,lat,lon",
        `${docs.d},2022-04-18 08:15,${HOME.lat},${HOME.lon}`,
        `${docs.d},2022-04-18 08:25,95,${HOME.lon}`,
        `110101199001011234,2022-04-18 08:25,${HOME.lat},${HOME.lon}`,
        `${docs.e},2022-04-21 08:25,${HOME.lat},${HOME.lon}`,
      ].join("\n");
      const r = await upload(csv, { "accept-language": "en" });
      assert.equal(r.status, 422, JSON.stringify(r.json()));
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [
          ["rows[3].lat", "co_presence.bad_lat"],
          ["rows[4].document_number", "co_presence.unknown_document"],
          ["rows[5].at", "co_presence.future_time"],
        ],
      );
      assert.match(r.json().error.fields[0].message, /Latitude "95" is not between/);
      const zh = await upload(csv);
      assert.match(zh.json().error.fields[0].message, /纬度「95」不在/);
      assert.deepEqual(await stored(), { points: 0, contacts: 0, batches: 0 });
      const header = await upload("name,at,lat\n张三,2022-04-18 08:15,38.4");
      assert.equal(header.status, 422);
      assert.equal(header.json().error.fields[0].code, "co_presence.bad_header");
    });

    test("points are stored with their 800 m cell; the same person at the same time again is a duplicate", async () => {
      const lines = ["person_id,at,lat,lon"];
      // The case at home for 31 hours (a point every 20 minutes), then in the hot-pot district.
      for (let m = 0; m <= 31 * 60; m += 20) {
        const at = new Date(bj("2022-04-15T06:00:00").getTime() + m * 60_000).toISOString();
        lines.push(`${p.patient},${at},${HOME.lat},${HOME.lon}`);
      }
      // d walks the dog near the case's home for 25 minutes while the case is there (until 04-16 13:00).
      for (const hm of ["09:15", "09:25", "09:40"])
        lines.push(`${p.d},2022-04-16 ${hm},${HOME.lat + 0.001},${HOME.lon}`);
      // e passes through for exactly 10 minutes: not more than 10.
      for (const hm of ["08:20", "08:30"]) lines.push(`${p.e},2022-04-16 ${hm},${HOME.lat},${HOME.lon}`);
      // f is 5 km away at the same time.
      for (const hm of ["09:00", "09:40"]) lines.push(`${p.f},2022-04-16 ${hm},${AWAY.lat},${AWAY.lon}`);
      lines.push(`${p.f},2022-04-16 09:40,${AWAY.lat},${AWAY.lon}`);
      const r = await upload(lines.join("\r\n"));
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.deepEqual(
        { ...r.json(), batchId: undefined },
        { batchId: undefined, read: lines.length - 1, stored: lines.length - 2, duplicates: 1, people: 4 },
      );
      const cell = (
        await t.db.query<{ cell: string }>(`SELECT cell FROM location_points WHERE person_id = $1 LIMIT 1`, [
          p.d,
        ])
      ).rows[0]!.cell;
      assert.equal(cell, cellOf(HOME.lat, HOME.lon, 800));
      const audit = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'tracing.location_points'`,
      );
      assert.equal(audit.rows[0]!.n, 1);
    });

    test("the candidates: a at the hot-pot place within the buffer, d in the case's home cell for 25 minutes; not b, c (a contact), e, f, g", async () => {
      const r = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/co-presence`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const v = r.json();
      assert.equal(v.visits, 1);
      assert.equal(v.points, 94);
      assert.equal(v.excludedContacts, 1);
      assert.deepEqual(v.window, { from: bj("2022-04-06T18:00:00").toISOString(), to: NOW.toISOString() });
      const found = v.candidates.map((c: Record<string, unknown>) => [
        c.personId,
        c.basis,
        c.from,
        c.to,
        c.minutes,
      ]);
      assert.deepEqual(found, [
        [
          p.d,
          "grid_cell",
          bj("2022-04-16T09:15:00").toISOString(),
          bj("2022-04-16T09:40:00").toISOString(),
          25,
        ],
        [p.a, "venue", bj("2022-04-18T13:20:00").toISOString(), bj("2022-04-18T13:30:00").toISOString(), 10],
      ]);
      const a = v.candidates[1];
      assert.equal(a.venueName, "老城火锅");
      assert.match(a.personNameMasked, /\*/);
      assert.match(a.documentNumberMasked, /^\d{6}\*{8}/);
      assert.equal(a.confirmed, false);
      assert.equal(v.candidates[0].cell, cellOf(HOME.lat, HOME.lon, 800));
    });

    test("confirming a and d stores two co-presence contacts, audited and signalled to the colour worker; again stores nothing more", async () => {
      const cell = cellOf(HOME.lat, HOME.lon, 800);
      const body = {
        candidates: [
          { personId: p.a, basis: "venue", venueId: hotpot },
          { personId: p.d, basis: "grid_cell", cell },
        ],
      };
      const r = await t.call(investigator, "POST", `/api/tracing/cases/${caseId}/co-presence/confirm`, body);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().alreadyConfirmed, 0);
      assert.deepEqual(
        r
          .json()
          .confirmed.map((x: Record<string, unknown>) => [x.personId, x.basis, x.overlapFrom, x.overlapTo]),
        [
          [p.a, "venue", bj("2022-04-18T13:20:00").toISOString(), bj("2022-04-18T13:30:00").toISOString()],
          [
            p.d,
            "grid_cell",
            bj("2022-04-16T09:15:00").toISOString(),
            bj("2022-04-16T09:40:00").toISOString(),
          ],
        ],
      );
      assert.equal((await stored()).contacts, 2);
      const audit = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'tracing.co_presence_confirm' AND entity_id = $1`,
        [caseId],
      );
      assert.equal(audit.rows[0]!.n, 1);
      const signals = await t.db.query<{ key: string }>(
        `SELECT key FROM health_code_signals WHERE source = 'co_presence_contacts' ORDER BY key`,
      );
      assert.deepEqual(
        signals.rows.map((s) => s.key),
        [p.a, p.d].sort(),
      );
      const again = await t.call(
        investigator,
        "POST",
        `/api/tracing/cases/${caseId}/co-presence/confirm`,
        body,
      );
      assert.equal(again.status, 200);
      assert.deepEqual(again.json(), { confirmed: [], alreadyConfirmed: 2 });
      assert.equal((await stored()).contacts, 2);
      const listed = await t.call(investigator, "GET", `/api/tracing/cases/${caseId}/co-presence`);
      assert.deepEqual(
        listed.json().candidates.map((c: { confirmed: boolean }) => c.confirmed),
        [true, true],
      );
    });

    test("confirming b (no overlap) or c (already a contact) refuses the whole request, nothing stored", async () => {
      const r = await t.call(
        investigator,
        "POST",
        `/api/tracing/cases/${caseId}/co-presence/confirm`,
        {
          candidates: [
            { personId: p.b, basis: "venue", venueId: hotpot },
            { personId: p.c, basis: "venue", venueId: hotpot },
            { personId: p.e, basis: "venue", venueId: hotpot },
          ],
        },
        { "accept-language": "en" },
      );
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [
          ["candidates[0]", "co_presence.not_a_candidate"],
          ["candidates[1]", "co_presence.already_contact"],
          ["candidates[2]", "co_presence.not_a_candidate"],
        ],
      );
      assert.match(r.json().error.fields[1].message, /already a classified contact/);
      assert.equal((await stored()).contacts, 2);
    });

    test("a citizen cannot search, an investigator of another district cannot confirm, one without a case gets 404", async () => {
      const citizen = await t.userSession("citizen", CHONGAN, { personId: p.a });
      assert.equal((await t.call(citizen, "GET", `/api/tracing/cases/${caseId}/co-presence`)).status, 403);
      const elsewhere = await t.userSession("investigator", "640105");
      const r = await t.call(elsewhere, "POST", `/api/tracing/cases/${caseId}/co-presence/confirm`, {
        candidates: [{ personId: p.a, basis: "venue", venueId: hotpot }],
      });
      assert.equal(r.status, 403);
      assert.equal(
        (await t.call(investigator, "GET", `/api/tracing/cases/${uuidv7()}/co-presence`)).status,
        404,
      );
      assert.equal(
        (
          await t.call(citizen, "POST", "/api/tracing/location-points", "person_id,at,lat,lon\n", {
            "content-type": "text/csv",
          })
        ).status,
        403,
      );
    });
  });
}
