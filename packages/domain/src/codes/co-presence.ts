/**
 * Co-presence (时空伴随, issue 7 item 6): who was in the same place as a case at the same time, as
 * candidate contacts for the investigator. Two rules, both pure:
 *
 * - **Venue rule.** A venue scan records an arrival, never a departure: a person who checked in at `at`
 *   is assumed present for `assumedStayMinutes`, [at, at + stay]. Another person is a candidate when
 *   that presence overlaps the case's visit [from, to] widened by `bufferMinutes` on each side.
 * - **Grid-cell rule** (protocols.md §3.3, Chengdu, Nov 2021: "same 800 m × 800 m grid together for more
 *   than 10 minutes, and either number spent more than 30 hours there in total over the last 14 days").
 *   Location points are put in square cells of `gridCellMeters`; consecutive points of one person in one
 *   cell make a dwell; two people's dwells in the same cell that overlap for more than `minMinutes` make
 *   them co-present — when `minCellHours` is not 0, only in a cell where either of them spent more than
 *   that many hours in total over the points given (the look-back window).
 *
 * The numbers come from the health-code policy in force (`HealthCodePolicy.coPresence`).
 */
import type { HealthCodePolicy } from "./policy.ts";

export type CoPresencePolicy = HealthCodePolicy["coPresence"];

const MINUTE = 60_000;

export interface Overlap {
  from: Date;
  to: Date;
  /** Whole and fractional minutes of the overlap. */
  minutes: number;
}

function overlapOf(aFrom: number, aTo: number, bFrom: number, bTo: number): Overlap | null {
  const from = Math.max(aFrom, bFrom);
  const to = Math.min(aTo, bTo);
  if (to <= from) return null;
  return { from: new Date(from), to: new Date(to), minutes: (to - from) / MINUTE };
}

/** A case's visit to a venue: its check-in, and the assumed end of its stay. */
export function visitOf(at: Date, p: Pick<CoPresencePolicy, "assumedStayMinutes">): { from: Date; to: Date } {
  return { from: at, to: new Date(at.getTime() + p.assumedStayMinutes * MINUTE) };
}

/**
 * The venue rule: the overlap of another person's assumed presence [at, at + assumedStay] with the
 * case's visit widened by ± buffer, or null when they do not overlap (touching ends do not count).
 */
export function venueOverlap(
  visit: { from: Date; to: Date },
  at: Date,
  p: Pick<CoPresencePolicy, "assumedStayMinutes" | "bufferMinutes">,
): Overlap | null {
  const buffer = p.bufferMinutes * MINUTE;
  return overlapOf(
    visit.from.getTime() - buffer,
    visit.to.getTime() + buffer,
    at.getTime(),
    at.getTime() + p.assumedStayMinutes * MINUTE,
  );
}

/**
 * The scan times that can overlap a visit under the venue rule: (from − buffer − stay, to + buffer),
 * exclusive — what the scan log is searched for.
 */
export function venueSearchRange(
  visit: { from: Date; to: Date },
  p: Pick<CoPresencePolicy, "assumedStayMinutes" | "bufferMinutes">,
): { after: Date; before: Date } {
  return {
    after: new Date(visit.from.getTime() - (p.bufferMinutes + p.assumedStayMinutes) * MINUTE),
    before: new Date(visit.to.getTime() + p.bufferMinutes * MINUTE),
  };
}

/** Mean Earth radius (IUGG), metres: one degree of latitude is 111,195 m on it. */
export const EARTH_RADIUS_METERS = 6_371_008.8;
const METERS_PER_DEGREE = (Math.PI * EARTH_RADIUS_METERS) / 180;

/**
 * The grid cell of a point: a fixed metric grid. Rows are bands of `cellMeters` of latitude measured
 * along the meridian from the equator (row = ⌊lat · m/° ÷ cellMeters⌋); within a row, columns are
 * `cellMeters` wide along the parallel at the row's middle latitude (col = ⌊lon · m/° · cos φ_row ÷
 * cellMeters⌋), so every cell is cellMeters × cellMeters on a spherical Earth (at 34° N, an 800 m cell
 * is 0.0072° of latitude by 0.0087° of longitude). The id names the cell size, so cells of different
 * sizes never compare equal: "800:4273:13002".
 */
export function cellOf(lat: number, lon: number, cellMeters: number): string {
  const row = Math.floor((lat * METERS_PER_DEGREE) / cellMeters);
  const middle = (((row + 0.5) * cellMeters) / METERS_PER_DEGREE) * (Math.PI / 180);
  const col = Math.floor((lon * METERS_PER_DEGREE * Math.cos(middle)) / cellMeters);
  return `${cellMeters}:${row}:${col}`;
}

/**
 * Two consecutive points of a person more than this far apart break a dwell even in the same cell: the
 * person may have left and come back. ⚠ Not in the sources (operator signalling records a location at
 * least at every cell change and periodically, typically every 30 to 60 minutes when idle): 30 minutes,
 * so that a dwell never spans an hour with no evidence of where the person was.
 */
export const DWELL_GAP_MINUTES = 30;

export interface LocationPoint {
  personId: string;
  at: Date;
  cell: string;
}

export interface Dwell {
  personId: string;
  cell: string;
  from: Date;
  to: Date;
}

/**
 * Dwells from location points: per person in time order, consecutive points in one cell, at most
 * `DWELL_GAP_MINUTES` apart, make one dwell from the first to the last of them. A point in another cell,
 * or a gap, ends it; a lone point is a dwell of no length (it never makes more than 0 minutes together).
 */
export function dwellsOf(points: readonly LocationPoint[], gapMinutes = DWELL_GAP_MINUTES): Dwell[] {
  const byPerson = new Map<string, LocationPoint[]>();
  for (const p of points) {
    const list = byPerson.get(p.personId);
    if (list) list.push(p);
    else byPerson.set(p.personId, [p]);
  }
  const dwells: Dwell[] = [];
  for (const [personId, list] of byPerson) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    let current: Dwell | null = null;
    for (const p of list) {
      if (
        current &&
        current.cell === p.cell &&
        p.at.getTime() - current.to.getTime() <= gapMinutes * MINUTE
      ) {
        current.to = p.at;
        continue;
      }
      if (current) dwells.push(current);
      current = { personId, cell: p.cell, from: p.at, to: p.at };
    }
    if (current) dwells.push(current);
  }
  return dwells;
}

/** Hours each person spent in each cell, summed over their dwells: person → cell → hours. */
export function hoursByCell(dwells: readonly Dwell[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const d of dwells) {
    const cells = out.get(d.personId) ?? new Map<string, number>();
    cells.set(d.cell, (cells.get(d.cell) ?? 0) + (d.to.getTime() - d.from.getTime()) / 3_600_000);
    out.set(d.personId, cells);
  }
  return out;
}

export interface CellCoPresence {
  personId: string;
  cell: string;
  from: Date;
  to: Date;
  minutes: number;
}

/**
 * The grid-cell rule: every other person whose dwell in a cell overlaps one of the case's dwells in the
 * same cell for more than `minMinutes`; with `minCellHours` > 0, only where the case or that person spent
 * more than `minCellHours` in the cell in total (over the dwells given). One entry per overlapping pair
 * of dwells, in time order.
 */
export function cellCoPresence(
  casePersonId: string,
  dwells: readonly Dwell[],
  p: Pick<CoPresencePolicy, "minMinutes" | "minCellHours">,
): CellCoPresence[] {
  const own = dwells.filter((d) => d.personId === casePersonId);
  const hours = hoursByCell(dwells);
  const hoursIn = (person: string, cell: string) => hours.get(person)?.get(cell) ?? 0;
  const out: CellCoPresence[] = [];
  for (const o of dwells) {
    if (o.personId === casePersonId) continue;
    for (const c of own) {
      if (c.cell !== o.cell) continue;
      const overlap = overlapOf(c.from.getTime(), c.to.getTime(), o.from.getTime(), o.to.getTime());
      if (!overlap || overlap.minutes <= p.minMinutes) continue;
      if (
        p.minCellHours > 0 &&
        !(hoursIn(casePersonId, c.cell) > p.minCellHours || hoursIn(o.personId, c.cell) > p.minCellHours)
      )
        continue;
      out.push({ personId: o.personId, cell: c.cell, ...overlap });
    }
  }
  return out.sort((a, b) => a.from.getTime() - b.from.getTime() || a.personId.localeCompare(b.personId));
}
