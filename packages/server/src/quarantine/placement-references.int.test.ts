import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { v7 as uuidv7 } from "uuid";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { testEngines } from "../testing/test-db.ts";

// A placement's person, site, room and course are checked per statement (migration 0011), not by
// foreign keys: the same refusals as the keys gave, for a single row and for a COPY of many.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const COMMUNITY = "640104001002";
const FOREIGN_KEY_VIOLATION = "23503";

interface Refs {
  spareRoom: string;
  otherSite: string;
}

/** The columns of a placement row copied from an existing one, with some values replaced. */
const COPY_SQL = `INSERT INTO quarantine_placements (id, person_id, site_id, room_id, source_kind, identified_at,
    start_facts, course_id, status, placed_at, planned_end, created_at, updated_at)
  SELECT $1, coalesce($2, person_id), coalesce($3, site_id), $4, source_kind, identified_at, start_facts,
    coalesce($5, course_id), 'ended', placed_at, planned_end, created_at, updated_at
  FROM quarantine_placements WHERE id = $6`;

for (const engine of testEngines()) {
  describe(`a placement refers only to people, sites, rooms and courses that exist (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2022-08-08T10:00:00+08:00");
    let placement: string;
    let person: string;
    let site: string;
    let room: string;
    let spareRoom: string;
    let otherSite: string;
    let course: string;
    const count = async () =>
      (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM quarantine_placements")).rows[0]!.n;

    before(async () => {
      t = await testApp(engine, () => clock);
      const command = await t.userSession("command", XINGQING);
      const s = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: TOWNSHIP,
      });
      site = s.json().id;
      const rooms = await t.call(command, "POST", `/api/quarantine/sites/${site}/rooms`, {
        from: 101,
        to: 102,
        prefix: "A",
        type: "single",
      });
      room = rooms.json().items[0].id;
      otherSite = (
        await t.call(command, "POST", "/api/quarantine/sites", {
          kind: "centralized",
          name: "凤凰酒店",
          address: "凤凰北街1号",
          regionCode: TOWNSHIP,
        })
      ).json().id;
      spareRoom = rooms.json().items[1].id;
      person = (await t.call(command, "POST", "/api/people", personPayload(COMMUNITY, 61))).json().id;
      placement = await placeDirectly(t, {
        personId: person,
        siteId: site,
        roomId: room,
        placedAt: "2022-08-03T21:00:00+08:00",
      });
      course = (
        await t.db.query<{ c: string }>("SELECT course_id AS c FROM quarantine_placements WHERE id = $1", [
          placement,
        ])
      ).rows[0]!.c;
    });
    after(() => t.close());

    for (const [what, values, message] of [
      ["an unknown person", (r: Refs) => [uuidv7(), null, r.spareRoom, null], /person .* does not exist/],
      ["an unknown site", (_: Refs) => [null, uuidv7(), null, null], /site .* does not exist/],
      ["a room of no site", (_: Refs) => [null, null, uuidv7(), null], /room .* does not exist/],
      [
        "a room of another site",
        (r: Refs) => [null, r.otherSite, r.spareRoom, null],
        /room .* does not exist/,
      ],
      [
        "an unknown course",
        (r: Refs) => [null, null, r.spareRoom, "0".repeat(32)],
        /course .* does not exist/,
      ],
    ] as const) {
      test(`a placement naming ${what} is refused as a foreign key would refuse it, and nothing is stored`, async () => {
        const before = await count();
        await assert.rejects(
          t.db.query(COPY_SQL, [uuidv7(), ...values({ spareRoom, otherSite }), placement]),
          (e: { code?: string; message: string }) =>
            e.code === FOREIGN_KEY_VIOLATION && message.test(e.message),
        );
        assert.equal(await count(), before);
      });
    }

    test("a valid row passes the same check (the refusals above are not the check refusing everything)", async () => {
      const id = uuidv7();
      await t.db.transaction(async (tx) => {
        await tx.query(COPY_SQL, [id, null, null, spareRoom, null, placement]);
        await tx.query("DELETE FROM quarantine_placements WHERE id = $1", [id]);
      });
    });

    test("COPY of many rows is checked as a whole: one bad row among good ones refuses them all", async () => {
      const before = await count();
      const good = (id: string) =>
        `${id}\t${person}\t${site}\t${spareRoom}\tmanual\t2022-08-03T21:00:00+08:00\t{}\t${course}\tended\t2022-08-03T21:00:00+08:00\t2022-08-10T21:00:00+08:00\t2022-08-10T21:00:00+08:00\n`;
      const text = good(uuidv7()) + good(uuidv7()).replace(site, uuidv7()) + good(uuidv7());
      await assert.rejects(
        t.db.copyText(
          "quarantine_placements",
          [
            "id",
            "person_id",
            "site_id",
            "room_id",
            "source_kind",
            "identified_at",
            "start_facts",
            "course_id",
            "status",
            "placed_at",
            "created_at",
            "updated_at",
          ],
          text,
        ),
        /site .* does not exist/,
      );
      assert.equal(await count(), before);
    });

    test("moving a placement to a room that does not exist is refused", async () => {
      await assert.rejects(
        t.db.query("UPDATE quarantine_placements SET room_id = $2 WHERE id = $1", [placement, uuidv7()]),
        /room .* does not exist/,
      );
    });

    test("a person, site or room that a placement refers to cannot be deleted or re-keyed", async () => {
      for (const [sql, args] of [
        ["DELETE FROM persons WHERE id = $1", [person]],
        ["DELETE FROM quarantine_rooms WHERE id = $1", [room]],
        ["UPDATE quarantine_rooms SET id = $2 WHERE id = $1", [room, uuidv7()]],
        ["DELETE FROM quarantine_sites WHERE id = $1", [site]],
      ] as const) {
        await assert.rejects(
          t.db.query(sql, [...args]),
          (e: { code?: string; message: string }) =>
            e.code === FOREIGN_KEY_VIOLATION && /is referred to by quarantine_placements/.test(e.message),
          sql,
        );
      }
      // A room nobody was placed in can go (it was created by mistake), and its number with it.
      await t.db
        .transaction(async (tx) => {
          await tx.query("DELETE FROM quarantine_rooms WHERE id = $1", [spareRoom]);
          throw new Error("rolled back");
        })
        .catch((e: Error) => assert.equal(e.message, "rolled back"));
    });

    test("a stored course never changes: update and delete are refused", async () => {
      for (const sql of [
        "UPDATE quarantine_courses SET created_at = now() WHERE id = $1",
        "DELETE FROM quarantine_courses WHERE id = $1",
      ])
        await assert.rejects(t.db.query(sql, [course]), /a stored course never changes/);
    });
  });
}
