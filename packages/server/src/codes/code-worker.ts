/**
 * Keeps stored colours current (docs/capabilities/health-codes.md, "How colours follow state"):
 * - a change of state (a result, a recall, a case, a contact, a placement, a risk area, an override, a
 *   move) writes a signal in its own transaction (triggers of migration 0024);
 * - the worker takes signals (FOR UPDATE SKIP LOCKED: any number of API processes share the queue),
 *   computes the colours of the people they concern and stores them, with a change row for every
 *   change of colour, in the transaction that deletes the signals — a crash loses no signal;
 * - colours that change with time alone (a monitoring period ends, an override expires, a routine test
 *   falls due) are computed again at their `recheck_at`.
 * It runs every second in each API process, so a change shows within seconds.
 */
import { randomBytes } from "node:crypto";
import { computeColour, type ColourReason, type ColourResult } from "@cordon/domain/codes/colour";
import { type CodeColour, type HealthCodePolicy, isDowngrade } from "@cordon/domain/codes/policy";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { v7 as uuidv7 } from "uuid";
import type { Db, Queryable } from "../db/db.ts";
import {
  type CodeChange,
  dueRechecks,
  findCodes,
  gatherFacts,
  insertChanges,
  insertCode,
  personBasics,
  type StoredCode,
  signalledPeople,
  takeSignals,
  updateCodes,
} from "./code.repository.ts";
import { healthCodePolicyAt } from "./code-policy.ts";

const DAY = 86_400_000;

/**
 * How far back the tests the rules look at go (`testsNeededSince` of colour.ts asks for at least 14
 * days, more for a co-presence overlap: one found by a search of `lookbackDays`, cleared by tests in
 * the `withinDays` after it).
 */
function testsLookbackDays(p: HealthCodePolicy): number {
  const c = p.colours;
  return (
    Math.max(
      c.positiveTest.days,
      c.routineTest.everyDays ?? 0,
      p.coPresence.lookbackDays + (c.coPresence.clearedBy.withinDays ?? 0) + c.coPresence.monitorDays,
      14,
    ) + 1
  );
}

interface Computed {
  personId: string;
  result: ColourResult;
  packId: string | null;
}

/** The colours of these people now, by the rules of the pack in force at each one's address. */
async function compute(
  q: Queryable,
  packs: readonly LoadedPack[],
  personIds: readonly string[],
  now: Date,
): Promise<Computed[]> {
  const people = await personBasics(q, personIds);
  const policies = new Map(people.map((p) => [p.id, healthCodePolicyAt(packs, p.regionCode, now)]));
  const lookback = Math.max(...[...policies.values()].map((p) => testsLookbackDays(p.policy)), 1);
  const facts = await gatherFacts(q, people, now, new Date(now.getTime() - lookback * DAY));
  return people.map((p) => {
    const inForce = policies.get(p.id)!;
    return {
      personId: p.id,
      result: computeColour(facts.get(p.id)!, inForce.policy, now),
      packId: inForce.packId,
    };
  });
}

/** When a colour began, on the first computation: the earliest reason giving that colour. */
function firstSince(colour: CodeColour, reasons: readonly ColourReason[], now: Date): Date {
  let t = now.getTime();
  for (const r of reasons) if (r.colour === colour && r.since.getTime() < t) t = r.since.getTime();
  return new Date(t);
}

/**
 * Computes and stores the colours of people who hold a code (rows locked in person order, so two
 * processes never deadlock), with a change row for every change of colour. Returns the changes.
 */
export async function recomputeCodes(
  tx: Queryable,
  packs: readonly LoadedPack[],
  personIds: readonly string[],
  now: Date,
  causeOf: (personId: string) => string,
): Promise<CodeChange[]> {
  const stored = await findCodes(tx, personIds, true);
  if (!stored.length) return [];
  const byPerson = new Map(stored.map((s) => [s.personId, s]));
  const computed = await compute(tx, packs, [...byPerson.keys()], now);
  const updates: StoredCode[] = [];
  const changes: CodeChange[] = [];
  for (const c of computed) {
    const before = byPerson.get(c.personId)!;
    const colour = c.result.colour;
    const changed = colour !== before.colour;
    updates.push({
      ...before,
      colour,
      since: changed ? now : before.since,
      reasons: c.result.reasons,
      packId: c.packId,
      computedAt: now,
      recheckAt: c.result.recheckAt,
      downgradedAt: changed && isDowngrade(before.colour, colour) ? now : before.downgradedAt,
    });
    if (changed)
      changes.push({
        personId: c.personId,
        id: uuidv7(),
        at: now,
        fromColour: before.colour,
        toColour: colour,
        reasons: c.result.reasons,
        cause: causeOf(c.personId),
        packId: c.packId,
      });
  }
  await updateCodes(tx, updates);
  await insertChanges(tx, changes);
  return changes;
}

/**
 * The stored codes of these people, computing and storing a first one (with a fresh random ref) for
 * those who have none yet. People not in the registry get nothing (the caller says grey).
 */
export async function ensureCodes(
  db: Db,
  packs: readonly LoadedPack[],
  personIds: readonly string[],
  now: Date,
): Promise<StoredCode[]> {
  const have = await findCodes(db, personIds);
  const missing = personIds.filter((id) => !have.some((h) => h.personId === id));
  if (!missing.length) return have;
  await db.transaction(async (tx) => {
    const computed = await compute(tx, packs, missing, now);
    for (const c of computed) {
      const since = firstSince(c.result.colour, c.result.reasons, now);
      const code: StoredCode = {
        personId: c.personId,
        ref: new Uint8Array(randomBytes(16)),
        colour: c.result.colour,
        since,
        reasons: c.result.reasons,
        packId: c.packId,
        computedAt: now,
        recheckAt: c.result.recheckAt,
        downgradedAt: null,
        version: 1,
      };
      // Another process may have made it in the meantime: theirs stands.
      if (await insertCode(tx, code))
        await insertChanges(tx, [
          {
            personId: c.personId,
            id: uuidv7(),
            at: now,
            fromColour: null,
            toColour: code.colour,
            reasons: code.reasons,
            cause: "first",
            packId: c.packId,
          },
        ]);
    }
  });
  return findCodes(db, personIds);
}

export interface WorkDone {
  signals: number;
  recomputed: number;
  changed: number;
}

/**
 * One pass: all queued signals (in batches, each in its own transaction) and the rechecks due at `now`.
 */
export async function runCodeWork(
  db: Db,
  packs: readonly LoadedPack[],
  now: Date,
  opts: { batch?: number } = {},
): Promise<WorkDone> {
  const batch = opts.batch ?? 2000;
  const done: WorkDone = { signals: 0, recomputed: 0, changed: 0 };
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const signals = await takeSignals(tx, batch);
      if (!signals.length) return 0;
      const people = await signalledPeople(tx, signals);
      for (let i = 0; i < people.ids.length; i += 1000) {
        const ids = people.ids.slice(i, i + 1000);
        const changes = await recomputeCodes(
          tx,
          packs,
          ids,
          now,
          (id) => `signal:${[...people.sources.get(id)!].sort().join(",")}`,
        );
        done.recomputed += ids.length;
        done.changed += changes.length;
      }
      return signals.length;
    });
    done.signals += n;
    if (n < batch) break;
  }
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const ids = await dueRechecks(tx, now, batch);
      if (!ids.length) return 0;
      const changes = await recomputeCodes(tx, packs, ids, now, () => "recheck");
      done.recomputed += ids.length;
      done.changed += changes.length;
      return ids.length;
    });
    if (n < batch) break;
  }
  return done;
}

/** Runs `runCodeWork` every `intervalMs` (never two passes at once in one process); returns a stop. */
export function startCodeWorker(
  db: Db,
  packs: readonly LoadedPack[],
  opts: { intervalMs?: number; now?: () => Date; onError?: (e: unknown) => void } = {},
): () => Promise<void> {
  const now = opts.now ?? (() => new Date());
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = runCodeWork(db, packs, now())
      .catch((e: unknown) => opts.onError?.(e))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs ?? 1000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
