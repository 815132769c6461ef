/**
 * venue_scans is partitioned by Beijing day (venue_scans_pYYYYMMDD covers [00:00, 24:00) +08:00). The
 * server creates a day's partition before the first scan of that day is written (ahead of time at start
 * and every hour, and on demand for a scan of a day not seen yet), and retention drops whole partitions:
 * no row-by-row DELETE of a city's scans. Which days exist is remembered per process only as a cache:
 * another process finds out the same from the database (CREATE TABLE IF NOT EXISTS under a lock).
 */
import { addDays, shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import type { Db } from "../db/db.ts";

const DAY = 86_400_000;
/** pg_advisory locks of this capability (others use 727001, 727002). */
const PARTITION_LOCK = 727025;

const partitionName = (date: string) => `venue_scans_p${date.replaceAll("-", "")}`;

export class ScanPartitions {
  readonly #db: Db;
  readonly #known = new Set<string>();
  readonly #creating = new Map<string, Promise<void>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** True when this process has made sure every date's partition exists. */
  covers(dates: Iterable<string>): boolean {
    for (const d of dates) if (!this.#known.has(d)) return false;
    return true;
  }

  /** Makes sure the partitions of these Beijing dates ("YYYY-MM-DD") exist. */
  async ensure(dates: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const d of new Set(dates)) {
      if (this.#known.has(d)) continue;
      const pending = this.#creating.get(d);
      if (pending) waits.push(pending);
      else missing.push(d);
    }
    if (missing.length) {
      const p = this.#create(missing).finally(() => {
        for (const d of missing) this.#creating.delete(d);
      });
      for (const d of missing) this.#creating.set(d, p);
      waits.push(p);
    }
    await Promise.all(waits);
  }

  /** The partitions from `daysBack` days before `now`'s Beijing date to `daysAhead` days after it. */
  ensureAround(now: Date, daysBack: number, daysAhead: number): Promise<void> {
    const today = shanghaiDateOf(now.getTime());
    const dates: string[] = [];
    for (let i = -daysBack; i <= daysAhead; i++) dates.push(addDays(today, i));
    return this.ensure(dates);
  }

  async #create(dates: string[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [PARTITION_LOCK]);
      const existing = new Set(
        (
          await tx.query<{ name: string }>(
            `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'venue_scans'::regclass`,
          )
        ).rows.map((r) => r.name),
      );
      for (const d of dates) {
        if (existing.has(partitionName(d))) continue;
        await tx.exec(
          `CREATE TABLE ${partitionName(d)} PARTITION OF venue_scans
             FOR VALUES FROM ('${d} 00:00:00+08') TO ('${addDays(d, 1)} 00:00:00+08')`,
        );
      }
    });
    for (const d of dates) this.#known.add(d);
  }

  /** Forgets dropped days (retention ran in this process). */
  forget(dates: Iterable<string>): void {
    for (const d of dates) this.#known.delete(d);
  }
}

export interface PurgeResult {
  /** Beijing dates whose partitions were dropped. */
  droppedDays: string[];
  /** Gate upload records (idempotency keys) deleted. */
  batchesDeleted: number;
}

/**
 * Retention: drops every day's partition that ended `retentionDays` or more before `now` (a scan is kept
 * at least `retentionDays`, at most one day longer), and deletes the gate uploads' idempotency records
 * received before that. Several processes may run it; one at a time does the work.
 */
export async function purgeExpiredScans(
  db: Db,
  now: Date,
  retentionDays: number,
  partitions?: ScanPartitions,
): Promise<PurgeResult> {
  const cutoff = now.getTime() - retentionDays * DAY;
  const droppedDays = await db.transaction(async (tx) => {
    const got = await tx.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [
      PARTITION_LOCK,
    ]);
    if (!got.rows[0]!.ok) return [];
    const names = (
      await tx.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'venue_scans'::regclass`,
      )
    ).rows.map((r) => r.name);
    const dropped: string[] = [];
    for (const name of names.sort()) {
      const m = /^venue_scans_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const date = `${m[1]}-${m[2]}-${m[3]}`;
      const end = Date.parse(`${addDays(date, 1)}T00:00:00+08:00`);
      if (end > cutoff) continue;
      await tx.exec(`DROP TABLE ${name}`);
      dropped.push(date);
    }
    return dropped;
  });
  partitions?.forget(droppedDays);
  let batchesDeleted = 0;
  for (;;) {
    const r = await db.query(
      `DELETE FROM venue_scan_batches WHERE (device_id, seq) IN (
         SELECT device_id, seq FROM venue_scan_batches WHERE received_at < $1 LIMIT 50000)`,
      [new Date(cutoff)],
    );
    batchesDeleted += r.rowCount;
    if (r.rowCount < 50000) break;
  }
  return { droppedDays, batchesDeleted };
}
