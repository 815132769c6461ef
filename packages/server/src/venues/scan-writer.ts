/**
 * Group commit for gate uploads: concurrent requests are gathered into one multi-row statement per
 * flush (when `flushScans` scans wait, or `maxWaitMs` after the first), and each request is answered
 * only after its flush has committed. The statement resolves each scan's code reference to a person
 * (health_codes.ref), checks the device is not revoked and its venue is open, records the upload for
 * idempotency (venue_scan_batches, by device and seq) and writes the scans: one round trip, one commit,
 * for hundreds of requests. A flush that fails is retried request by request, so one bad upload fails
 * only itself. The queue is bounded: when it is full, `submit` throws `WriterOverloaded` (503 upstream).
 */
import type { Db } from "../db/db.ts";

export interface PreparedScan {
  id: string;
  /** The person reference of the code, 32 hex characters. */
  ref: string;
  colour: string;
  vaccination: number;
  temperature: number | null;
  /** Epoch milliseconds, corrected for the device's clock. */
  at: number;
  decision: "admit" | "refuse";
  reason: string | null;
}

export interface GateUpload {
  deviceId: string;
  seq: number;
  /** SHA-256 (hex) of the upload's scans: the same seq with other content is refused. */
  hash: string;
  receivedAt: Date;
  scans: PreparedScan[];
}

export type GateOutcome =
  | { kind: "stored"; accepted: number }
  | { kind: "duplicate"; accepted: number }
  | { kind: "unknown_device" }
  | { kind: "revoked" }
  | { kind: "venue_inactive" }
  | { kind: "seq_conflict" }
  /** Another process stored the same (device, seq) at the same moment: ask again. */
  | { kind: "retry" };

export class WriterOverloaded extends Error {}

export interface ScanWriterOptions {
  /** Flush as soon as this many scans wait. */
  flushScans?: number;
  /** Flush at the latest this long after the first waiting scan. */
  maxWaitMs?: number;
  /** At most this many scans in one statement. */
  maxFlushScans?: number;
  /** Statements in flight at once (connections used). */
  maxInFlight?: number;
  /** Scans waiting or in flight before new uploads are refused. */
  maxQueuedScans?: number;
}

interface Entry {
  upload: GateUpload;
  key: string;
  resolve: (o: GateOutcome) => void;
  reject: (e: unknown) => void;
}

interface ResultRow {
  device_id: string;
  seq: number;
  known: boolean;
  revoked: boolean;
  active: boolean | null;
  new_accepted: number | null;
  old_accepted: number | null;
  old_hash: string | null;
}

/**
 * One statement for any number of uploads. $1–$5: one element per upload (device, seq, content hash,
 * number of scans, received at in epoch ms); $6–$14: one per scan, `$6` giving the upload each scan
 * belongs to (its ordinal in $1), times in epoch ms. Every lookup is by key (devices, venues, codes,
 * earlier uploads), so the statement's cost does not grow with the tables. Each is a LATERAL subquery
 * with LIMIT 1, which the planner cannot turn into a join: a prepared statement keeps one generic plan
 * per connection, made with the table sizes of that moment, and a plain join planned when a table was
 * small became a hash join reading the whole table at every flush once it was large (seen in the
 * check-in benchmark: the database's time per upload grew fourfold in 20 seconds);
 * scan-writer.int.test.ts checks the plan. All CTEs read the snapshot taken at the statement's start:
 * `o` (uploads stored before) does not see the rows `nb` inserts.
 */
export const FLUSH_SQL = `
WITH b AS (
  SELECT b.*, to_timestamp(b.received_ms / 1000) AS received_at, d.venue_id, d.revoked_at, d.active
  FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::int[], $5::float8[]) WITH ORDINALITY
    AS b(device_id, seq, content_hash, scans, received_ms, k)
  LEFT JOIN LATERAL (
    SELECT dv.venue_id, dv.revoked_at, v.active FROM venue_devices dv JOIN venues v ON v.id = dv.venue_id
    WHERE dv.id = b.device_id LIMIT 1
  ) d ON true
),
s AS (
  SELECT x.k, b.venue_id, b.device_id, b.seq, b.received_at, x.id, h.person_id,
    to_timestamp(x.at_ms / 1000) AS at, x.colour, x.vaccination, x.temperature, x.decision, x.reason
  FROM unnest($6::int[], $7::uuid[], $8::text[], $9::text[], $10::smallint[], $11::real[],
      $12::float8[], $13::text[], $14::text[])
    AS x(k, id, ref, colour, vaccination, temperature, at_ms, decision, reason)
  JOIN b ON b.k = x.k AND b.revoked_at IS NULL AND b.active
  JOIN LATERAL (
    SELECT h.person_id FROM health_codes h WHERE h.ref = decode(x.ref, 'hex') LIMIT 1
  ) h ON true
),
n AS (SELECT k, count(*)::int AS accepted FROM s GROUP BY k),
nb AS (
  INSERT INTO venue_scan_batches (device_id, seq, content_hash, scans, accepted, received_at)
  SELECT b.device_id, b.seq, b.content_hash, b.scans, coalesce(n.accepted, 0), b.received_at
  FROM b LEFT JOIN n ON n.k = b.k WHERE b.revoked_at IS NULL AND b.active
  ON CONFLICT (device_id, seq) DO NOTHING
  RETURNING device_id, seq, accepted
),
ins AS (
  INSERT INTO venue_scans (venue_id, id, person_id, at, way, colour, vaccination, temperature, decision,
    reason, device_id, seq, received_at)
  SELECT s.venue_id, s.id, s.person_id, s.at, 'gate', s.colour, s.vaccination, s.temperature, s.decision,
    s.reason, s.device_id, s.seq, s.received_at
  FROM s JOIN nb ON nb.device_id = s.device_id AND nb.seq = s.seq
)
SELECT b.device_id, b.seq, b.venue_id IS NOT NULL AS known, b.revoked_at IS NOT NULL AS revoked,
  b.active, nb.accepted AS new_accepted, o.accepted AS old_accepted, o.content_hash AS old_hash
FROM b
LEFT JOIN nb ON nb.device_id = b.device_id AND nb.seq = b.seq
LEFT JOIN LATERAL (
  SELECT o.accepted, o.content_hash FROM venue_scan_batches o
  WHERE o.device_id = b.device_id AND o.seq = b.seq AND nb.seq IS NULL LIMIT 1
) o ON true`;

function params(entries: readonly Entry[]): unknown[] {
  const device: string[] = [];
  const seq: number[] = [];
  const hash: string[] = [];
  const count: number[] = [];
  const received: number[] = [];
  const k: number[] = [];
  const id: string[] = [];
  const ref: string[] = [];
  const colour: string[] = [];
  const vacc: number[] = [];
  const temp: (number | null)[] = [];
  const at: number[] = [];
  const decision: string[] = [];
  const reason: (string | null)[] = [];
  let ordinal = 0;
  for (const { upload: u } of entries) {
    ordinal++;
    device.push(u.deviceId);
    seq.push(u.seq);
    hash.push(u.hash);
    count.push(u.scans.length);
    received.push(u.receivedAt.getTime());
    for (const s of u.scans) {
      k.push(ordinal);
      id.push(s.id);
      ref.push(s.ref);
      colour.push(s.colour);
      vacc.push(s.vaccination);
      temp.push(s.temperature);
      at.push(s.at);
      decision.push(s.decision);
      reason.push(s.reason);
    }
  }
  return [device, seq, hash, count, received, k, id, ref, colour, vacc, temp, at, decision, reason];
}

function outcome(row: ResultRow | undefined, hash: string): GateOutcome {
  if (!row) return { kind: "retry" };
  if (row.new_accepted !== null) return { kind: "stored", accepted: row.new_accepted };
  if (!row.known) return { kind: "unknown_device" };
  if (row.revoked) return { kind: "revoked" };
  if (!row.active) return { kind: "venue_inactive" };
  if (row.old_hash === null) return { kind: "retry" };
  if (row.old_hash !== hash) return { kind: "seq_conflict" };
  return { kind: "duplicate", accepted: row.old_accepted ?? 0 };
}

export class ScanWriter {
  readonly #db: Db;
  readonly #flushScans: number;
  readonly #maxWaitMs: number;
  readonly #maxFlushScans: number;
  readonly #maxInFlight: number;
  readonly #maxQueuedScans: number;
  #pending: Entry[] = [];
  #pendingScans = 0;
  #inFlightScans = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  /** When the oldest waiting upload arrived (performance.now()). */
  #oldestAt = 0;

  constructor(db: Db, opts: ScanWriterOptions = {}) {
    this.#db = db;
    this.#flushScans = opts.flushScans ?? 1000;
    this.#maxWaitMs = opts.maxWaitMs ?? 2;
    this.#maxFlushScans = opts.maxFlushScans ?? 5000;
    this.#maxInFlight = opts.maxInFlight ?? (db.engine === "postgres" ? 2 : 1);
    this.#maxQueuedScans = opts.maxQueuedScans ?? 50_000;
  }

  /**
   * The flush statement. On a PostgreSQL server, a named prepared statement: parsed and planned once per
   * connection instead of once per flush (planning this statement cost about as much as running it for
   * a few scans). node-postgres takes a query config `{ name, text }` where the SQL text goes; the Db
   * interface types that argument as the text, hence the cast. PGlite takes the text.
   */
  #statement(): string {
    return this.#db.engine === "postgres"
      ? ({ name: "venue_scans_flush_4", text: FLUSH_SQL } as unknown as string)
      : FLUSH_SQL;
  }

  /** Scans waiting or being written. */
  get queuedScans(): number {
    return this.#pendingScans + this.#inFlightScans;
  }

  /** Stores an upload (resolves after COMMIT), or reports why it was not stored. */
  submit(upload: GateUpload): Promise<GateOutcome> {
    if (this.queuedScans + upload.scans.length > this.#maxQueuedScans) {
      return Promise.reject(new WriterOverloaded());
    }
    return new Promise<GateOutcome>((resolve, reject) => {
      if (!this.#pending.length) this.#oldestAt = performance.now();
      this.#pending.push({ upload, key: `${upload.deviceId}/${upload.seq}`, resolve, reject });
      this.#pendingScans += upload.scans.length;
      this.#schedule();
    });
  }

  /**
   * Flush when enough scans wait, or when the oldest has waited `maxWaitMs`, and a statement slot is
   * free; otherwise wait. A flush finishing frees a slot and looks again, so under load each flush
   * takes everything that arrived while the previous ones were writing: the batches grow with the load
   * and the statements (and commits) per second do not.
   */
  #schedule(): void {
    if (!this.#pending.length || this.#inFlight >= this.#maxInFlight) return;
    const waited = performance.now() - this.#oldestAt;
    if (this.#pendingScans >= this.#flushScans || waited >= this.#maxWaitMs) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#schedule();
      }, this.#maxWaitMs - waited);
    }
  }

  #take(): Entry[] {
    const taken: Entry[] = [];
    const keys = new Set<string>();
    const rest: Entry[] = [];
    let scans = 0;
    for (const e of this.#pending) {
      // The same upload twice in one statement would conflict with itself: the second waits a flush.
      if (keys.has(e.key) || (taken.length > 0 && scans + e.upload.scans.length > this.#maxFlushScans)) {
        rest.push(e);
        continue;
      }
      keys.add(e.key);
      taken.push(e);
      scans += e.upload.scans.length;
    }
    this.#pending = rest;
    this.#pendingScans -= scans;
    this.#inFlightScans += scans;
    return taken;
  }

  #flush(): void {
    const entries = this.#take();
    const scans = entries.reduce((n, e) => n + e.upload.scans.length, 0);
    this.#inFlight++;
    void this.#write(entries).finally(() => {
      this.#inFlight--;
      this.#inFlightScans -= scans;
      this.#schedule();
    });
    // Uploads left waiting (over the statement's size, or a second copy of one taken) keep their age.
    this.#schedule();
  }

  async #write(entries: Entry[]): Promise<void> {
    try {
      const rows = (await this.#db.query<ResultRow>(this.#statement(), params(entries))).rows;
      const byKey = new Map(rows.map((r) => [`${r.device_id}/${r.seq}`, r]));
      for (const e of entries) e.resolve(outcome(byKey.get(e.key), e.upload.hash));
    } catch (err) {
      if (entries.length === 1) {
        entries[0]!.reject(err);
        return;
      }
      // One upload's failure must not fail the others gathered with it: each on its own.
      await Promise.all(entries.map((e) => this.#write([e])));
    }
  }

  /** Waits for everything submitted so far to be written. */
  async drain(): Promise<void> {
    while (this.#pending.length || this.#inFlight) await new Promise((r) => setTimeout(r, 1));
  }
}
