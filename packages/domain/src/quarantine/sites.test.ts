import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  countsTowardCapacity,
  ROOM_STATES,
  ROOM_TRANSITIONS,
  validateRoomChange,
  validateRoomRange,
  validateRoomTransition,
  validateSite,
} from "./sites.ts";

describe("quarantine sites and rooms", () => {
  test("a room out of service is disinfected before anyone moves in: not straight to occupied or free", () => {
    for (const to of ["occupied", "free"]) {
      const v = validateRoomTransition("out_of_service", to);
      assert.equal(v.ok, false);
      if (!v.ok) {
        assert.equal(v.errors[0]!.code, "room.transition_not_allowed");
        assert.match(v.errors[0]!.message.zh, /停用.*只能变为：终末消毒中/);
        assert.match(v.errors[0]!.message.en, /allowed: cleaning/);
      }
    }
    assert.deepEqual(validateRoomTransition("out_of_service", "cleaning"), { ok: true, value: "cleaning" });
  });

  test("a room someone left is cleaned before the next person: occupied → cleaning → free", () => {
    assert.equal(validateRoomTransition("occupied", "free").ok, false);
    assert.equal(validateRoomTransition("occupied", "cleaning").ok, true);
    assert.equal(validateRoomTransition("cleaning", "free").ok, true);
    assert.equal(validateRoomTransition("free", "occupied").ok, true);
  });

  test("a room holding placed people cannot be changed by hand, whatever the change: release or move them first", () => {
    for (const to of ROOM_STATES) {
      const v = validateRoomChange({ state: "free", placed: 2 }, to);
      assert.equal(v.ok, false, to);
      if (!v.ok) {
        assert.deepEqual(
          [v.errors[0]!.field, v.errors[0]!.code, v.errors[0]!.message],
          [
            "to",
            "room.has_placed_people",
            {
              zh: "房间内有在隔人员，请先解除隔离或转移",
              en: "People are placed in this room: release or move them first",
            },
          ],
        );
      }
    }
    // With nobody placed, the stored state moves along the transitions, occupied by hand included.
    assert.deepEqual(validateRoomChange({ state: "free", placed: 0 }, "occupied"), {
      ok: true,
      value: "occupied",
    });
    assert.deepEqual(validateRoomChange({ state: "occupied", placed: 0 }, "cleaning"), {
      ok: true,
      value: "cleaning",
    });
    const skip = validateRoomChange({ state: "out_of_service", placed: 0 }, "free");
    assert.equal(skip.ok, false);
    if (!skip.ok) assert.equal(skip.errors[0]!.code, "room.transition_not_allowed");
  });

  test("release stores cleaning over what a room holding people has stored (free): an allowed transition", () => {
    // Placing never writes the room: it was free when placed into and stays so stored until release.
    assert.deepEqual(validateRoomTransition("free", "cleaning"), { ok: true, value: "cleaning" });
  });

  test("every state can reach every other through the allowed transitions (no dead end)", () => {
    for (const from of ROOM_STATES) {
      const seen = new Set([from]);
      const queue = [from];
      while (queue.length) {
        for (const n of ROOM_TRANSITIONS[queue.shift()!]) {
          if (!seen.has(n)) {
            seen.add(n);
            queue.push(n);
          }
        }
      }
      assert.equal(seen.size, ROOM_STATES.length, from);
    }
  });

  test("an unknown state is refused by name", () => {
    const v = validateRoomTransition("free", "broken");
    assert.equal(v.ok || v.errors[0]!.code, "room.unknown_state");
  });

  test("rooms 101–140 of a hotel: forty numbers; with building prefix A", () => {
    const v = validateRoomRange({ from: 101, to: 140, type: "single" });
    assert.ok(v.ok);
    if (v.ok) {
      assert.equal(v.value.numbers.length, 40);
      assert.equal(v.value.numbers[0], "101");
      assert.equal(v.value.numbers.at(-1), "140");
    }
    const a = validateRoomRange({ from: 1, to: 2, prefix: "A", type: "family" });
    assert.deepEqual(a.ok && a.value.numbers, ["A1", "A2"]);
  });

  test("negative or reversed room numbers, an unknown type and a bad prefix are refused with field errors", () => {
    const v = validateRoomRange({ from: -5, to: 3, prefix: "A-", type: "suite" });
    assert.equal(v.ok, false);
    if (!v.ok)
      assert.deepEqual(
        v.errors.map((e) => [e.field, e.code]),
        [
          ["from", "room.number_range"],
          ["prefix", "room.prefix_format"],
          ["type", "room.unknown_type"],
        ],
      );
    const r = validateRoomRange({ from: 140, to: 101, type: "single" });
    assert.equal(!r.ok && r.errors[0]!.code, "room.range_order");
    const big = validateRoomRange({ from: 1, to: 1001, type: "single" });
    assert.equal(!big.ok && big.errors[0]!.code, "room.batch_too_large");
  });

  test("a site: known kind, address, a region in one county; home quarantine is one community and never a reserve", () => {
    const ok = validateSite({
      kind: "centralized",
      name: " 宁安宾馆 ",
      address: "解放西街1号",
      regionCode: "640104",
      reserve: true,
    });
    assert.deepEqual(ok, {
      ok: true,
      value: {
        kind: "centralized",
        name: "宁安宾馆",
        address: "解放西街1号",
        regionCode: "640104",
        reserve: true,
        capacityNote: null,
      },
    });
    const bad = validateSite({ kind: "hotel", name: "", regionCode: "640100" });
    assert.equal(bad.ok, false);
    if (!bad.ok)
      assert.deepEqual(
        bad.errors.map((e) => e.code),
        ["site.unknown_kind", "site.name_length", "site.address_required", "site.region_level"],
      );
    const home = validateSite({ kind: "home", name: "居家隔离", regionCode: "640104001", reserve: true });
    assert.equal(home.ok, false);
    if (!home.ok)
      assert.deepEqual(
        home.errors.map((e) => e.code),
        ["site.home_community", "site.home_not_reserve"],
      );
    assert.equal(validateSite({ kind: "home", name: "居家隔离", regionCode: "640104001002" }).ok, true);
  });

  test("only rooms of centralized sites that are in service count toward the 20-per-10,000 standard", () => {
    assert.equal(countsTowardCapacity("centralized", "occupied"), true);
    assert.equal(countsTowardCapacity("centralized", "cleaning"), true);
    assert.equal(countsTowardCapacity("centralized", "out_of_service"), false);
    assert.equal(countsTowardCapacity("designated_hospital", "free"), false);
    assert.equal(countsTowardCapacity("home", "free"), false);
  });
});
