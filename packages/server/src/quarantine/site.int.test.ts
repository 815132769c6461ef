import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { systemContext } from "../http/context.ts";
import type { AppError } from "../http/errors.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";
import { placeBulk } from "./placement-bulk.ts";

// Seed 000 (Ningxia): "按照以县区为单元隔离房间至少达到每万人20间的标准要求，提前储备充足的备用隔离场所".
// 兴庆区 (640104, Yinchuan) is the county; 西夏区 (640105) is the county next door.
const XINGQING = "640104";
const XINGQING_TOWNSHIP = "640104001";
const XINGQING_COMMUNITY = "640104001002";
const JINFENG = "640105";

for (const engine of testEngines()) {
  describe(`quarantine sites, rooms and county capacity (${engine})`, () => {
    let t: TestApp;
    const clock = new Date("2021-10-25T09:00:00+08:00");
    let command: string;
    let staff: string;
    let otherGrid: string;
    let otherStaff: string;
    let admin: string;
    let hotel: string;
    let reserve: string;

    const site = async (body: Record<string, unknown>, who = command) => {
      const r = await t.call(who, "POST", "/api/quarantine/sites", body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    const rooms = async (id: string, body: Record<string, unknown>) => {
      const r = await t.call(command, "POST", `/api/quarantine/sites/${id}/rooms`, body);
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().items as { id: string; number: string; state: string }[];
    };
    const stored = async () =>
      (
        await t.db.query<{ s: number; r: number; a: number }>(
          `SELECT (SELECT count(*)::int FROM quarantine_sites) AS s, (SELECT count(*)::int FROM quarantine_rooms) AS r,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'quarantine.%') AS a`,
        )
      ).rows[0]!;

    before(async () => {
      t = await testApp(engine, () => clock);
      command = await t.userSession("command", XINGQING);
      staff = await t.userSession("quarantine_staff", XINGQING);
      otherGrid = await t.userSession("grid_worker", JINFENG);
      otherStaff = await t.userSession("quarantine_staff", JINFENG);
      admin = await t.userSession("administrator", "000000");
    });
    after(() => t.close());

    test("Xingqing builds up isolation rooms: a hotel in use, a reserve hotel (备用), a designated hospital, home quarantine for a community", async () => {
      hotel = await site({
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街88号",
        regionCode: XINGQING_TOWNSHIP,
        capacityNote: "两栋楼，A栋1000间单人间，B栋40间家庭套间",
      });
      assert.equal((await rooms(hotel, { from: 1, to: 1000, prefix: "A", type: "single" })).length, 1000);
      const family = await rooms(hotel, { from: 101, to: 140, prefix: "B", type: "family" });
      assert.deepEqual(
        [family.length, family[0]!.number, family.at(-1)!.number, family[0]!.state],
        [40, "B101", "B140", "free"],
      );
      reserve = await site({
        kind: "centralized",
        name: "银川职业技术学院学生公寓（备用）",
        address: "上海西路6号",
        regionCode: XINGQING,
        reserve: true,
      });
      await rooms(reserve, { from: 1, to: 600, type: "double" });
      const hospital = await site({
        kind: "designated_hospital",
        name: "银川市第四人民医院",
        address: "兴庆区胜利南街",
        regionCode: XINGQING,
      });
      await rooms(hospital, { from: 1, to: 10, type: "negative_pressure" });
      const home = await site({ kind: "home", name: "崇安社区居家隔离", regionCode: XINGQING_COMMUNITY });
      await rooms(home, { from: 1, to: 3, type: "family" });

      const again = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "home",
        name: "崇安社区居家隔离（重复）",
        regionCode: XINGQING_COMMUNITY,
      });
      assert.equal(again.status, 409);
      assert.equal(again.json().error.code, "site.home_exists");
    });

    test("a county's shortfall against 20 rooms per 10,000, without and with the reserve site", async () => {
      // Five rooms of the hotel go out of service: they no longer count.
      const detail = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}`)).json();
      for (const r of detail.roomList.slice(0, 5)) {
        const s = await t.call(staff, "POST", `/api/quarantine/sites/${hotel}/rooms/${r.id}/state`, {
          to: "out_of_service",
          reason: "卫生间漏水",
        });
        assert.equal(s.status, 200, JSON.stringify(s.json()));
      }
      const region = (await t.call(command, "GET", `/api/regions/${XINGQING}`)).json().region;
      const r = await t.call(command, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}`);
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().roomsPer10000, 20);
      const [c] = r.json().counties;
      assert.equal(r.json().counties.length, 1);
      // Population and its source exactly as the regions API reports them (7th census, 808,282).
      assert.equal(c.population, region.population);
      assert.equal(c.populationSource, region.populationSource);
      assert.equal(c.populationNote, region.populationNote);
      assert.equal(c.population, 808_282);
      assert.equal(c.required, 1617); // ⌈808,282 × 20 / 10,000⌉: "at least"
      assert.equal(c.rooms, 1035); // 1,040 hotel rooms, 5 out of service
      assert.equal(c.outOfService, 5);
      assert.equal(c.reserveRooms, 600);
      assert.equal(c.sites, 4);
      assert.equal(c.otherRooms, 13); // hospital and home quarantine do not count toward the standard
      assert.equal(c.shortfall, 582);
      assert.equal(c.shortfallWithReserve, 0);
      assert.equal(c.perTenThousand, 12.8);
      assert.match(c.message.zh, /现有缺 582 间，计入备用场所后达标/);
      assert.match(c.message.en, /582 short, met with reserve sites/);

      const stricter = (
        await t.call(command, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}&roomsPer10000=25`)
      ).json().counties[0];
      assert.deepEqual(
        [stricter.required, stricter.shortfall, stricter.shortfallWithReserve],
        [2021, 986, 386],
      );
      const bad = await t.call(
        command,
        "GET",
        `/api/quarantine/capacity?regionCode=${XINGQING}&roomsPer10000=-3`,
      );
      assert.equal(bad.status, 422);
      assert.equal(bad.json().error.fields[0].field, "roomsPer10000");
    });

    test("the city's view lists every county; a county with no census figure says so instead of a number", async () => {
      const yinchuan = await t.userSession("command", "640100");
      const r = (await t.call(yinchuan, "GET", "/api/quarantine/capacity?regionCode=640100")).json();
      assert.deepEqual(
        r.counties.map((c: { regionCode: string }) => c.regionCode),
        ["640104", "640105", "640106", "640121", "640122", "640181"],
      );
      const jinfeng = r.counties.find((c: { regionCode: string }) => c.regionCode === JINFENG);
      assert.equal(jinfeng.sites, 0); // none registered yet: the whole requirement is short
      assert.equal(jinfeng.rooms, 0);
      assert.equal(jinfeng.shortfall, jinfeng.required);

      const taiyuan = await t.userSession("command", "140100");
      const ty = await t.call(taiyuan, "GET", "/api/quarantine/capacity?regionCode=140100", undefined, {
        "accept-language": "en",
      });
      const reform = ty.json().counties.find((c: { regionCode: string }) => c.regionCode === "140171");
      assert.equal(reform.population, null);
      assert.equal(reform.required, null);
      assert.equal(reform.shortfall, null);
      assert.match(reform.message.zh, /无该县（区）人口数据/);
      assert.match(reform.message.en, /No population figure/);
    });

    test("a room out of service cannot go straight to occupied: it is disinfected (cleaning) first", async () => {
      const detail = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}`)).json();
      const broken = detail.roomList.find((r: { state: string }) => r.state === "out_of_service");
      const url = `/api/quarantine/sites/${hotel}/rooms/${broken.id}/state`;
      const before = await stored();
      const refused = await t.call(staff, "POST", url, { to: "occupied" });
      assert.equal(refused.status, 422);
      assert.equal(refused.json().error.fields[0].field, "to");
      assert.equal(refused.json().error.fields[0].code, "room.transition_not_allowed");
      assert.match(refused.json().error.fields[0].message, /不能从“停用”直接变为“已入住”/);
      const en = await t.call(staff, "POST", url, { to: "occupied" }, { "accept-language": "en" });
      assert.match(en.json().error.fields[0].message, /cannot go from out_of_service straight to occupied/);
      assert.deepEqual(await stored(), before);
      for (const to of ["cleaning", "free", "occupied"]) {
        const s = await t.call(staff, "POST", url, { to });
        assert.equal(s.status, 200, JSON.stringify(s.json()));
        assert.equal(s.json().state, to);
      }
      const after = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}`)).json();
      assert.deepEqual(after.occupancy, { free: 1035, occupied: 1, cleaning: 0, out_of_service: 4 });
      const list = (
        await t.call(staff, "GET", "/api/quarantine/sites?kind=centralized&reserve=false")
      ).json();
      assert.deepEqual(
        list.items.map((s: { name: string; rooms: number }) => [s.name, s.rooms]),
        [["宁安宾馆", 1040]],
      );
    });

    test("a grid worker or site staff of another county is refused; they do not see Xingqing's sites", async () => {
      const detail = (await t.call(staff, "GET", `/api/quarantine/sites/${hotel}`)).json();
      const room = detail.roomList.find((r: { state: string }) => r.state === "free");
      for (const [who, method, url, body] of [
        [otherGrid, "GET", `/api/quarantine/sites/${hotel}`],
        [otherGrid, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}`],
        [otherGrid, "GET", `/api/quarantine/sites?regionCode=${XINGQING}`],
        [otherStaff, "POST", `/api/quarantine/sites/${hotel}/rooms/${room.id}/state`, { to: "occupied" }],
      ] as const) {
        const r = await t.call(who, method, url, body);
        assert.equal(r.status, 403, `${method} ${url}`);
        assert.equal(r.json().error.code, "outside_jurisdiction");
      }
      assert.deepEqual((await t.call(otherGrid, "GET", "/api/quarantine/sites")).json().items, []);
      // Within the county, a grid worker may read but not change a room, and site staff cannot register sites.
      const grid = await t.userSession("grid_worker", XINGQING);
      assert.equal((await t.call(grid, "GET", `/api/quarantine/sites/${hotel}`)).status, 200);
      const change = await t.call(grid, "POST", `/api/quarantine/sites/${hotel}/rooms/${room.id}/state`, {
        to: "occupied",
      });
      assert.equal(change.json().error.code, "forbidden");
      const create = await t.call(staff, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "x",
        address: "y",
        regionCode: XINGQING,
      });
      assert.equal(create.json().error.code, "forbidden");
    });

    test("bad input is refused with bilingual field errors and nothing is stored", async () => {
      const before = await stored();
      const negative = await t.call(command, "POST", `/api/quarantine/sites/${hotel}/rooms`, {
        from: -5,
        to: 10,
        type: "single",
      });
      assert.equal(negative.status, 422);
      assert.deepEqual(
        negative.json().error.fields.map((f: { field: string; code: string }) => [f.field, f.code]),
        [["from", "room.number_range"]],
      );
      assert.match(negative.json().error.fields[0].message, /房间号须为1至999999之间的整数，收到 -5/);
      const negativeEn = await t.call(
        command,
        "POST",
        `/api/quarantine/sites/${hotel}/rooms`,
        { from: -5, to: 10, type: "single" },
        { "accept-language": "en" },
      );
      assert.match(negativeEn.json().error.fields[0].message, /A room number is a whole number from 1/);

      const taken = await t.call(command, "POST", `/api/quarantine/sites/${hotel}/rooms`, {
        from: 139,
        to: 141,
        prefix: "B",
        type: "family",
      });
      assert.equal(taken.status, 422);
      assert.equal(taken.json().error.fields[0].code, "room.number_taken");
      assert.match(taken.json().error.fields[0].message, /B139、B140/);

      const unknownKind = { kind: "hotel", name: "凯宾斯基", address: "北京路1号", regionCode: XINGQING };
      const zh = await t.call(command, "POST", "/api/quarantine/sites", unknownKind);
      assert.equal(zh.status, 422);
      assert.equal(zh.json().error.fields[0].field, "kind");
      assert.match(zh.json().error.fields[0].message, /未知场所类型“hotel”/);
      const en = await t.call(command, "POST", "/api/quarantine/sites", unknownKind, {
        "accept-language": "en",
      });
      assert.match(en.json().error.fields[0].message, /Unknown site kind "hotel"/);

      const outside = await t.call(command, "POST", "/api/quarantine/sites", {
        kind: "centralized",
        name: "西夏区隔离酒店",
        address: "亲水大街",
        regionCode: JINFENG,
      });
      assert.equal(outside.status, 403);
      assert.equal(outside.json().error.code, "outside_jurisdiction");

      const noState = await t.call(command, "POST", `/api/quarantine/sites/${hotel}/rooms`, {
        from: 1,
        to: 2,
        type: "suite",
      });
      assert.equal(noState.json().error.fields[0].code, "room.unknown_type");
      assert.deepEqual(await stored(), before);
    });

    test("every write left an audit entry: sites, room batches, room states, the reserve flag", async () => {
      const s = (await t.call(command, "GET", `/api/quarantine/sites/${reserve}`)).json();
      const activated = await t.call(command, "PUT", `/api/quarantine/sites/${reserve}`, {
        name: s.name,
        address: s.address,
        reserve: false,
        capacityNote: "2021-10-25 启用",
        version: s.version,
      });
      assert.equal(activated.status, 200, JSON.stringify(activated.json()));
      assert.equal(activated.json().reserve, false);
      const stale = await t.call(command, "PUT", `/api/quarantine/sites/${reserve}`, {
        name: s.name,
        reserve: true,
        version: s.version,
      });
      assert.equal(stale.status, 409);

      const sites = (await t.call(admin, "GET", "/api/audit?entityType=quarantine_site&pageSize=100")).json();
      const count = (action: string) =>
        sites.items.filter((e: { action: string }) => e.action === action).length;
      assert.equal(count("quarantine.site_create"), 4);
      assert.equal(count("quarantine.rooms_create"), 5);
      assert.equal(count("quarantine.site_update"), 1);
      const update = sites.items.find((e: { action: string }) => e.action === "quarantine.site_update");
      assert.deepEqual(update.before, { reserve: true, capacityNote: null });
      const batch = sites.items.find(
        (e: { action: string; after: { first: string } }) =>
          e.action === "quarantine.rooms_create" && e.after.first === "B101",
      );
      assert.deepEqual(batch.after, { count: 40, first: "B101", last: "B140", type: "family" });
      const states = (
        await t.call(admin, "GET", "/api/audit?action=quarantine.room_state&pageSize=100")
      ).json();
      assert.equal(states.total, 8); // five taken out of service, then cleaning, free, occupied
      assert.ok(
        states.items.some(
          (e: { before: { state: string }; after: { state: string } }) =>
            e.before.state === "out_of_service" && e.after.state === "cleaning",
        ),
      );
      // After activation the reserve hotel's 600 rooms count as rooms in use, beside the hotel's 1,036
      // (one room came back into service above).
      const c = (await t.call(command, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}`)).json()
        .counties[0];
      assert.deepEqual([c.rooms, c.reserveRooms, c.shortfall], [1636, 0, 0]);
    });

    // Occupied is derived from the placements: placing people never writes the room.
    let inn: string;
    let innRooms: { id: string; number: string }[];
    const innRoom = (n: string) => innRooms.find((r) => r.number === n)!.id;
    let household: string[];
    let seq = 700;
    const person = async () => {
      const r = await t.call(admin, "POST", "/api/people", personPayload(XINGQING_COMMUNITY, ++seq));
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      return r.json().id as string;
    };
    /** As stored, not as shown: the rooms' stored states and the placements. */
    const storedRooms = async () =>
      (
        await t.db.query<{ rooms: string; placements: number; audit: number }>(
          `SELECT (SELECT string_agg(number || ':' || state, ',' ORDER BY number) FROM quarantine_rooms
                   WHERE site_id = $1) AS rooms,
             (SELECT count(*)::int FROM quarantine_placements) AS placements,
             (SELECT count(*)::int FROM audit_log WHERE action LIKE 'quarantine.%') AS audit`,
          [inn],
        )
      ).rows[0]!;
    const shown = async (number: string) => {
      const board = (await t.call(staff, "GET", `/api/quarantine/sites/${inn}/board`)).json();
      const room = board.rooms.find((r: { number: string }) => r.number === number);
      return [room.state, room.occupants.length] as [string, number];
    };

    test("a room with people placed in it shows as occupied though nobody set it", async () => {
      inn = await site({
        kind: "centralized",
        name: "凤凰酒店",
        address: "凤凰北街1号",
        regionCode: XINGQING,
      });
      innRooms = await rooms(inn, { from: 101, to: 104, prefix: "C", type: "double" });
      const capacityBefore = (
        await t.call(command, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}`)
      ).json().counties[0];
      household = [await person(), await person()];
      for (const personId of household)
        await placeDirectly(t, {
          personId,
          siteId: inn,
          roomId: innRoom("C101"),
          placedAt: "2021-10-24T20:00:00+08:00",
        });
      assert.match((await storedRooms()).rooms, /^C101:free,/, "nobody wrote the room");

      assert.deepEqual(await shown("C101"), ["occupied", 2]);
      const detail = (await t.call(staff, "GET", `/api/quarantine/sites/${inn}`)).json();
      assert.equal(detail.roomList.find((r: { number: string }) => r.number === "C101").state, "occupied");
      assert.deepEqual(detail.occupancy, { free: 3, occupied: 1, cleaning: 0, out_of_service: 0 });
      const listed = (await t.call(staff, "GET", `/api/quarantine/sites?regionCode=${XINGQING}`)).json();
      assert.deepEqual(listed.items.find((s: { id: string }) => s.id === inn).occupancy, detail.occupancy);
      const suggested = (
        await t.call(staff, "GET", `/api/quarantine/suggestions?siteId=${inn}&people=2`)
      ).json();
      assert.deepEqual(
        suggested.rooms.map((r: { number: string }) => r.number),
        ["C102", "C103", "C104"],
      );
      // An occupied room is in service: it still counts toward the county's capacity.
      const capacity = (
        await t.call(command, "GET", `/api/quarantine/capacity?regionCode=${XINGQING}`)
      ).json().counties[0];
      assert.deepEqual(
        [capacity.rooms, capacity.outOfService],
        [capacityBefore.rooms, capacityBefore.outOfService],
      );
      const single = await t.call(staff, "POST", "/api/quarantine/placements", {
        siteId: inn,
        roomId: innRoom("C101"),
        people: [
          {
            personId: await person(),
            facts: { contacts: [{ kind: "close", lastExposureAt: "2021-10-24T12:00:00+08:00" }] },
          },
        ],
      });
      assert.equal(single.status, 422);
      assert.equal(single.json().error.fields[0].code, "placement.room_taken");
    });

    test("a room holding placed people cannot be changed by hand", async () => {
      const url = `/api/quarantine/sites/${inn}/rooms/${innRoom("C101")}/state`;
      const before = await storedRooms();
      for (const body of [
        { to: "cleaning" },
        { to: "out_of_service", reason: "空调故障" },
        { to: "occupied" },
      ]) {
        const r = await t.call(staff, "POST", url, body);
        assert.equal(r.status, 422, JSON.stringify(body));
        assert.deepEqual(
          [r.json().error.fields[0].field, r.json().error.fields[0].code, r.json().error.fields[0].message],
          ["to", "room.has_placed_people", "房间内有在隔人员，请先解除隔离或转移"],
        );
      }
      const en = await t.call(staff, "POST", url, { to: "cleaning" }, { "accept-language": "en" });
      assert.equal(
        en.json().error.fields[0].message,
        "People are placed in this room: release or move them first",
      );
      assert.deepEqual(await storedRooms(), before);
      assert.deepEqual(await shown("C101"), ["occupied", 2]);
    });

    test("a batch naming a room that already holds another household is refused and nothing is stored", async () => {
      const ctx = systemContext(clock);
      const packs = loadShippedPacks();
      const item = (personId: string, room: string) => ({
        personId,
        siteId: inn,
        roomId: innRoom(room),
        placedAt: "2021-10-25T08:00:00+08:00",
        facts: { contacts: [{ kind: "close" as const, lastExposureAt: "2021-10-24T12:00:00+08:00" }] },
      });
      const who = [await person(), await person()];
      const before = await storedRooms();
      await assert.rejects(
        placeBulk(
          t.db,
          ctx,
          packs,
          [item(who[0]!, "C102"), { ...item(who[1]!, "C101"), householdKey: "新一户" }],
          {
            regionCode: XINGQING,
          },
        ),
        (e: AppError) => {
          assert.equal(e.status, 422);
          assert.deepEqual(
            e.fields!.map((f) => [f.field, f.code, f.message.zh]),
            [["items.1.roomId", "placement.room_taken", "房间已安置其他家庭"]],
          );
          return true;
        },
      );
      assert.deepEqual(await storedRooms(), before, "nothing stored");

      // The same batch into free rooms is placed; the rooms are occupied by the placements alone.
      const s = await placeBulk(t.db, ctx, packs, [item(who[0]!, "C102"), item(who[1]!, "C103")], {
        regionCode: XINGQING,
      });
      assert.deepEqual([s.placed, s.roomsOccupied], [2, 2]);
      assert.equal((await storedRooms()).rooms, "C101:free,C102:free,C103:free,C104:free");
      assert.deepEqual(
        [await shown("C102"), await shown("C103")],
        [
          ["occupied", 1],
          ["occupied", 1],
        ],
      );
    });

    test("releasing the last person leaves the room to be cleaned", async () => {
      const placements = (
        await t.call(staff, "GET", `/api/quarantine/placements?siteId=${inn}&status=placed`)
      )
        .json()
        .items.filter((p: { roomNumber: string }) => p.roomNumber === "C101");
      assert.equal(placements.length, 2);
      const release = (id: string) =>
        t.call(command, "POST", `/api/quarantine/placements/${id}/release`, {
          kind: "early",
          reason: "转定点医院复核后排除",
        });
      const first = await release(placements[0].id);
      assert.equal(first.status, 200, JSON.stringify(first.json()));
      assert.deepEqual(await shown("C101"), ["occupied", 1], "one of the household is still in it");
      assert.match((await storedRooms()).rooms, /^C101:free,/);

      const last = await release(placements[1].id);
      assert.equal(last.status, 200, JSON.stringify(last.json()));
      assert.deepEqual(await shown("C101"), ["cleaning", 0]);
      assert.match((await storedRooms()).rooms, /^C101:cleaning,/);
      const audit = await t.db.query<{ after: { roomState: string | null } }>(
        `SELECT after FROM audit_log WHERE action = 'quarantine.release' AND entity_id = ANY($1::text[]) ORDER BY at, id`,
        [placements.map((p: { id: string }) => p.id)],
      );
      assert.deepEqual(
        audit.rows.map((r) => r.after.roomState),
        [null, "cleaning"],
      );
      // Empty now, the room is staff's again: disinfected, then free.
      const url = `/api/quarantine/sites/${inn}/rooms/${innRoom("C101")}/state`;
      assert.equal((await t.call(staff, "POST", url, { to: "free" })).json().state, "free");
    });
  });
}
