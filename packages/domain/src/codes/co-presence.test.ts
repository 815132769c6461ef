/** Co-presence (时空伴随): the venue rule and the grid-cell rule, with the default policy's numbers. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cellCoPresence,
  cellOf,
  dwellsOf,
  type LocationPoint,
  venueOverlap,
  venueSearchRange,
  visitOf,
} from "./co-presence.ts";
import { DEFAULT_HEALTH_CODE_POLICY } from "./policy.ts";

const policy = { ...DEFAULT_HEALTH_CODE_POLICY.coPresence, bufferMinutes: 30, assumedStayMinutes: 60 };
const t = (hhmm: string) => new Date(`2022-04-20T${hhmm}:00+08:00`);

test("a case checked in at 12:00 (visit 12:00–13:00): a check-in at 13:20 overlaps 13:20–13:30 within the 30-minute buffer", () => {
  const visit = visitOf(t("12:00"), policy);
  assert.deepEqual(visit, { from: t("12:00"), to: t("13:00") });
  assert.deepEqual(venueOverlap(visit, t("13:20"), policy), {
    from: t("13:20"),
    to: t("13:30"),
    minutes: 10,
  });
});

test("a check-in at 10:35 is assumed present until 11:35, inside the buffer before the 12:00 visit", () => {
  const o = venueOverlap(visitOf(t("12:00"), policy), t("10:35"), policy);
  assert.deepEqual(o, { from: t("11:30"), to: t("11:35"), minutes: 5 });
});

test("a check-in at 13:30 (the widened visit's end) or at 10:30 (its stay ends at the widened start) is not co-present", () => {
  const visit = visitOf(t("12:00"), policy);
  assert.equal(venueOverlap(visit, t("13:30"), policy), null);
  assert.equal(venueOverlap(visit, t("10:30"), policy), null);
  assert.equal(venueOverlap(visit, t("10:31"), policy)?.minutes, 1);
});

test("with no buffer only the stays themselves count: 13:00 after a 12:00 visit is not co-present", () => {
  const none = { ...policy, bufferMinutes: 0 };
  assert.equal(venueOverlap(visitOf(t("12:00"), none), t("13:00"), none), null);
  assert.equal(venueOverlap(visitOf(t("12:00"), none), t("12:59"), none)?.minutes, 1);
});

test("the scan log is searched strictly between visit start − buffer − stay and visit end + buffer", () => {
  assert.deepEqual(venueSearchRange(visitOf(t("12:00"), policy), policy), {
    after: t("10:30"),
    before: t("13:30"),
  });
});

test("cells are 800 m × 800 m: points 500 m apart north–south in Xi'an share a cell or neighbour it, 2 km apart never", () => {
  const lat = 34.2611; // Xi'an, the Bell Tower
  const lon = 108.9423;
  const c = cellOf(lat, lon, 800);
  assert.match(c, /^800:\d+:\d+$/);
  const [, row, col] = c.split(":").map(Number);
  const north500 = cellOf(lat + 500 / 111_195, lon, 800)
    .split(":")
    .map(Number);
  assert.ok(north500[1]! - row! <= 1 && north500[2] === col);
  const east2km = cellOf(lat, lon + 2000 / (111_195 * Math.cos((lat * Math.PI) / 180)), 800)
    .split(":")
    .map(Number);
  assert.ok(east2km[2]! - col! >= 2);
  // A cell's width in longitude is 800 m at its row's latitude: 100 m steps east change column every 8.
  const cols = new Set<string>();
  for (let k = 0; k < 8; k++)
    cols.add(cellOf(lat, lon + (k * 100) / (111_195 * Math.cos((lat * Math.PI) / 180)), 800));
  assert.ok(cols.size <= 2, [...cols].join());
});

test("cells of another size never equal the 800 m ones", () => {
  assert.notEqual(cellOf(34.2611, 108.9423, 800), cellOf(34.2611, 108.9423, 500));
});

const pt = (personId: string, hhmm: string, cell: string): LocationPoint => ({ personId, at: t(hhmm), cell });

test("consecutive points in one cell make one dwell; a point elsewhere or a gap over 30 minutes ends it", () => {
  const dwells = dwellsOf([
    pt("a", "08:00", "A"),
    pt("a", "08:20", "A"),
    pt("a", "08:45", "A"),
    pt("a", "09:00", "B"),
    pt("a", "09:10", "A"),
    pt("a", "09:50", "A"), // 40 minutes after the last: a new dwell
  ]);
  assert.deepEqual(
    dwells.map((d) => [d.cell, d.from, d.to]),
    [
      ["A", t("08:00"), t("08:45")],
      ["B", t("09:00"), t("09:00")],
      ["A", t("09:10"), t("09:10")],
      ["A", t("09:50"), t("09:50")],
    ],
  );
});

const noHours = { minMinutes: 10, minCellHours: 0 };

test("a person in the case's cell for 15 minutes of its dwell is co-present; one for exactly 10 minutes is not", () => {
  const dwells = dwellsOf([
    pt("case", "08:00", "A"),
    pt("case", "08:30", "A"),
    pt("x", "08:15", "A"),
    pt("x", "08:40", "A"),
    pt("y", "08:20", "A"),
    pt("y", "08:30", "A"),
    pt("z", "08:00", "B"),
    pt("z", "08:30", "B"),
  ]);
  const found = cellCoPresence("case", dwells, noHours);
  assert.deepEqual(found, [{ personId: "x", cell: "A", from: t("08:15"), to: t("08:30"), minutes: 15 }]);
});

test("with the 30-hour condition, 15 minutes together count only where the case or the other spent over 30 hours", () => {
  const points: LocationPoint[] = [pt("case", "08:00", "A"), pt("case", "08:30", "A")];
  points.push(pt("x", "08:10", "A"), pt("x", "08:40", "A"));
  const rule = { minMinutes: 10, minCellHours: 30 };
  assert.deepEqual(cellCoPresence("case", dwellsOf(points), rule), []);
  // x lives in cell A: points every 20 minutes over 31 hours of the days before.
  const home = Date.parse("2022-04-18T00:00:00+08:00");
  for (let m = 0; m <= 31 * 60; m += 20)
    points.push({ personId: "x", at: new Date(home + m * 60_000), cell: "A" });
  const found = cellCoPresence("case", dwellsOf(points), rule);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.personId, "x");
  assert.equal(found[0]!.minutes, 20);
});
