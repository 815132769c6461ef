/**
 * CPU time used by processes over a benchmark phase, from /proc (Linux): the server under test, the
 * PostgreSQL processes serving it and the load generator (this process), so a benchmark can say where
 * the work per request goes rather than read it off `top`. Resolution is the kernel's clock tick
 * (10 ms at 100 Hz): fine for phases of seconds.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // getconf CLK_TCK = 100 on Linux x86_64 and arm64

/** utime + stime of a process in ms, or null when it is gone (or this is not Linux). */
function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, "utf8").trim() === comm) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export interface CpuSample {
  server: number | null;
  /** pid → [CPU ms, role]. */
  postgres: Map<number, [number, string]>;
  self: number;
}

/**
 * What a PostgreSQL process is, from the title it sets: "postgres: walwriter", "postgres: autovacuum
 * worker …", or a client's backend ("postgres: <user> <database> <host> …"), counted as "backends".
 */
function roleOf(pid: number): string {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "gone";
  }
  const m =
    /^postgres: (autovacuum launcher|autovacuum worker|walwriter|checkpointer|background writer|logical replication launcher|stats collector)/.exec(
      title,
    );
  if (m) return m[1]!;
  return title.startsWith("postgres: ") ? "backends" : "postmaster";
}

export interface CpuSpent {
  /** ms of CPU over the phase. */
  serverMs: number | null;
  postgresMs: number;
  /** postgresMs by role (backends, walwriter, autovacuum worker, …). */
  postgresByRole: Record<string, number>;
  loadGeneratorMs: number;
}

/**
 * A sample now. `postgres` counts every process named "postgres" on the machine (the server's backends,
 * its WAL writer, checkpointer…): run the benchmark with no other PostgreSQL busy.
 */
export function sampleCpu(serverPid: number | undefined): CpuSample {
  const postgres = new Map<number, [number, string]>();
  for (const pid of pidsNamed("postgres")) {
    const t = cpuMs(pid);
    if (t !== null) postgres.set(pid, [t, roleOf(pid)]);
  }
  const u = process.cpuUsage();
  return {
    server: serverPid === undefined ? null : cpuMs(serverPid),
    postgres,
    self: (u.user + u.system) / 1000,
  };
}

/** CPU spent between two samples; a PostgreSQL process started meanwhile counts from zero. */
export function cpuSpent(a: CpuSample, b: CpuSample): CpuSpent {
  let pg = 0;
  const byRole: Record<string, number> = {};
  for (const [pid, [t, role]] of b.postgres) {
    const d = t - (a.postgres.get(pid)?.[0] ?? 0);
    pg += d;
    byRole[role] = (byRole[role] ?? 0) + d;
  }
  return {
    serverMs: a.server === null || b.server === null ? null : b.server - a.server,
    postgresMs: pg,
    postgresByRole: byRole,
    loadGeneratorMs: b.self - a.self,
  };
}
