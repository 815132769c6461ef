/**
 * County isolation-room capacity against seed 000's standard.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { SEEDS_DIR } from "../policies/shipped-packs.fixture.ts";
import { countyCapacity, ROOMS_PER_10000, STANDARD_QUOTE } from "./capacity.ts";

describe("seed 000 「按照以县区为单元隔离房间至少达到每万人20间的标准要求，提前储备充足的备用隔离场所」", () => {
  test("the quoted sentence is in seed 000 and says 20 per 10,000", (t) => {
    const file = join(SEEDS_DIR, "000_9ee1762a5fafba5d.txt");
    if (!existsSync(file)) return t.skip("shared seeds not present");
    assert.ok(readFileSync(file, "utf8").includes(STANDARD_QUOTE));
    assert.ok(STANDARD_QUOTE.includes(`每万人${ROOMS_PER_10000}间`));
  });

  test("a county of 285,000 needs 570 rooms: 500 rooms is 70 short, met once 100 reserve rooms count", () => {
    const r = countyCapacity({ regionCode: "640104", population: 285_000, rooms: 500, reserveRooms: 100 });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.value.required, 570);
    assert.equal(r.value.shortfall, 70);
    assert.equal(r.value.shortfallWithReserve, 0);
    assert.equal(r.value.perTenThousand, 17.5);
    assert.equal(r.value.perTenThousandWithReserve, 21.1);
    assert.equal(r.value.message.zh, "需 570 间（每万人 20 间），现有缺 70 间，计入备用场所后达标");
  });

  test("「至少」: 10,001 people need 21 rooms (rounded up); still short with reserve sites", () => {
    const r = countyCapacity({ regionCode: "530302", population: 10_001, rooms: 15, reserveRooms: 5 });
    assert.ok(r.ok && r.value.required === 21 && r.value.shortfallWithReserve === 1);
  });

  test("the standard is a parameter (30 per 10,000); negative or fractional counts are refused", () => {
    const r = countyCapacity({ regionCode: "530302", population: 10_000, rooms: 25, reserveRooms: 0 }, 30);
    assert.ok(r.ok && r.value.required === 30 && r.value.shortfall === 5);
    const bad = countyCapacity({ regionCode: "530302", population: -1, rooms: 2.5, reserveRooms: 0 });
    assert.ok(!bad.ok);
    if (!bad.ok)
      assert.deepEqual(
        bad.errors.map((e) => e.field),
        ["population", "rooms"],
      );
  });
});
