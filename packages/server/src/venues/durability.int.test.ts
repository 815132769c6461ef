/**
 * "A scan acknowledged is durable: killing the server process at any moment loses none that were
 * acknowledged" (issue 7 item 5). The real server process (cli/main.ts serve) takes gate uploads —
 * singles and batches from several devices at once — and is killed with SIGKILL at a random moment
 * under load; it is started again on the same data, and every upload it had answered 200 must be there,
 * with as many scans as it said it accepted.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type Db, openPglite, openPostgres } from "../db/db.ts";
import { type Engine, freshDb, testEngines } from "../testing/test-db.ts";
import { type CheckinFixture, seedCheckinFixture } from "./checkin-fixture.ts";

const MAIN = join(import.meta.dirname, "..", "cli", "main.ts");

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Server {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  let out = "";
  const proc = spawn(process.execPath, [MAIN, "serve"], {
    env: { ...process.env, ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server exited (${proc.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, output: () => out };
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once("exit", () => r()));

for (const engine of testEngines()) {
  describe(`acknowledged check-ins survive kill -9 of the server (${engine})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c().catch(() => {});
    });

    /** The database the server will run on, with the fixture written into it; and how to reopen it. */
    async function prepare(
      e: Engine,
    ): Promise<{ fixture: CheckinFixture; env: Record<string, string>; open: () => Promise<Db> }> {
      const now = new Date();
      if (e === "pglite") {
        const dir = mkdtempSync(join(tmpdir(), "cordon-durability-"));
        cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
        const mem = await freshDb("pglite");
        const tarball = await mem.dumpDataDir!();
        await mem.close();
        const db = await openPglite(dir, tarball);
        const fixture = await seedCheckinFixture(db, { people: 200, devices: 12, now });
        await db.close();
        return { fixture, env: { CORDON_DATA_DIR: dir, DATABASE_URL: "" }, open: () => openPglite(dir) };
      }
      const db = await freshDb("postgres");
      cleanup.push(() => db.close());
      const name = (await db.query<{ d: string }>("SELECT current_database() AS d")).rows[0]!.d;
      const u = new URL(process.env.CORDON_TEST_PG_URL!);
      u.pathname = `/${name}`;
      const fixture = await seedCheckinFixture(db, { people: 200, devices: 12, now });
      return {
        fixture,
        env: { DATABASE_URL: u.toString() },
        open: async (): Promise<Db> => {
          const d = await openPostgres(u.toString(), 1);
          return { ...d, close: () => d.close() };
        },
      };
    }

    test("every upload answered 200 before the kill is stored after the restart, with the scans it accepted", async (t) => {
      let t0 = performance.now();
      const phase = (name: string) => {
        t.diagnostic(`${name}: ${Math.round(performance.now() - t0)} ms`);
        t0 = performance.now();
      };
      const { fixture, env, open } = await prepare(engine);
      phase("database and fixture");
      const serverEnv = { ...env, CORDON_CHECKIN_DEVICE_RATE: "100000" };
      let server = await startServer(serverEnv);
      phase("server started");
      const acknowledged: { device: string; seq: number; accepted: number }[] = [];
      let sent = 0;
      let killed = false;
      const worker = async (w: number) => {
        const device = fixture.devices[w % fixture.devices.length]!;
        // Each worker owns one device: its seqs are its own.
        for (let seq = 1; !killed; seq++) {
          const size = seq % 3 === 0 ? 1 + ((seq * 37 + w) % 200) : 1;
          const at = new Date().toISOString();
          const scans = Array.from({ length: size }, (_, i) => ({
            ref: fixture.refs[(seq * 13 + i * 7 + w) % fixture.refs.length]!,
            colour: "green",
            vaccination: 2,
            temperature: 36.5,
            at,
            decision: "admit",
          }));
          sent++;
          try {
            const r = await fetch(`${server.url}/api/checkin/gate`, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${device.token}` },
              body: JSON.stringify({ seq, deviceTime: at, scans }),
            });
            if (r.status === 200) {
              const body = (await r.json()) as { accepted: number; duplicate: boolean };
              acknowledged.push({ device: device.id, seq, accepted: body.accepted });
            } else await r.arrayBuffer();
          } catch {
            // the connection died with the process: this upload was never acknowledged
          }
        }
      };
      const workers = Array.from({ length: fixture.devices.length }, (_, w) => worker(w));
      // Under load for a random while, then SIGKILL: no chance to flush, close or say goodbye.
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 2000));
      const ackedBeforeKill = acknowledged.length;
      server.proc.kill("SIGKILL");
      await exited(server.proc);
      killed = true;
      await Promise.all(workers);
      phase(`load, then SIGKILL (${ackedBeforeKill} uploads acknowledged)`);
      assert.ok(
        ackedBeforeKill > 20,
        `only ${ackedBeforeKill} uploads were acknowledged before the kill: no load`,
      );
      assert.ok(sent > acknowledged.length, "some uploads were in flight at the kill");

      server = await startServer(serverEnv);
      phase("server started again on the same data");
      // Running again on the crashed data: it takes new uploads.
      const again = await fetch(`${server.url}/api/checkin/gate`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${fixture.devices[0]!.token}` },
        body: JSON.stringify({
          seq: 1_000_000,
          deviceTime: new Date().toISOString(),
          scans: [
            {
              ref: fixture.refs[0],
              colour: "green",
              vaccination: 2,
              temperature: 36.5,
              at: new Date().toISOString(),
              decision: "admit",
            },
          ],
        }),
      });
      assert.equal(again.status, 200, `${await again.text()}\n${server.output()}`);
      server.proc.kill("SIGTERM");
      await exited(server.proc);

      const db = await open();
      try {
        const rows = (
          await db.query<{
            device: string;
            seq: number;
            accepted: number;
            batch: number | null;
            scans: number;
          }>(
            `WITH a AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[]) AS a(device, seq, accepted)),
               c AS (SELECT device_id, seq, count(*)::int AS n FROM venue_scans WHERE device_id IS NOT NULL
                     GROUP BY device_id, seq)
             SELECT a.device, a.seq, a.accepted, b.accepted AS batch, coalesce(c.n, 0) AS scans
             FROM a
             LEFT JOIN venue_scan_batches b ON b.device_id = a.device AND b.seq = a.seq
             LEFT JOIN c ON c.device_id = a.device AND c.seq = a.seq`,
            [
              acknowledged.map((a) => a.device),
              acknowledged.map((a) => a.seq),
              acknowledged.map((a) => a.accepted),
            ],
          )
        ).rows;
        const missing = rows.filter((r) => r.batch !== r.accepted || r.scans !== r.accepted);
        assert.deepEqual(
          missing.slice(0, 5),
          [],
          `${missing.length} of ${rows.length} acknowledged uploads missing`,
        );
        assert.equal(rows.length, acknowledged.length);
        const total = acknowledged.reduce((n, a) => n + a.accepted, 0);
        assert.ok(total > 100, `${total} scans acknowledged`);
        phase(`checked: ${rows.length} uploads, ${total} scans, none missing`);
      } finally {
        await db.close();
      }
    });
  });
}
