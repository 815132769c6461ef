import type { CodeColour } from "@cordon/domain/codes/policy";
import { api } from "../api/client.ts";

/**
 * The gate's queue of scans waiting for `POST /api/checkin/gate`, kept in localStorage so that a
 * reload, a crash or a day offline loses none. Each batch gets the next `seq`, and the batch and its
 * seq are stored BEFORE the upload: a failed or unanswered upload is retried with the same seq and the
 * same scans, which the server recognises (idempotent by device and seq) — a duplicate upload is
 * harmless, a lost acknowledgement costs nothing. 429/503 are retried after their Retry-After.
 */

export interface GateScan {
  ref: string;
  colour: CodeColour;
  vaccination: number;
  temperature: number | null;
  at: string;
  decision: "admit" | "refuse";
  reason?: string;
}

interface QueueState {
  nextSeq: number;
  pending: GateScan[];
  inflight: { seq: number; scans: GateScan[] } | null;
}

export interface UploaderStatus {
  /** Scans not yet acknowledged by the server (pending + the batch being sent). */
  queued: number;
  sending: boolean;
  /** When the next retry is due (ms), after a failure. */
  retryAt: number | null;
  /** The last failure, as the server said it, or "network". */
  lastError: string | null;
  /** The server refused the device (401/403): it must be registered again. */
  deviceRefused: boolean;
  lastAcknowledgedAt: number | null;
}

const MAX_BATCH = 1000;
const MAX_BACKOFF_MS = 30_000;

export class GateUploader {
  private state: QueueState;
  private running = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  private backoffMs = 1_000;
  private listeners = new Set<() => void>();
  private snapshot: UploaderStatus;
  private readonly storageKey: string;
  private readonly token: string;

  constructor(storageKey: string, token: string) {
    this.storageKey = storageKey;
    this.token = token;
    this.state = this.load();
    this.snapshot = {
      queued: this.count(),
      sending: false,
      retryAt: null,
      lastError: null,
      deviceRefused: false,
      lastAcknowledgedAt: null,
    };
  }

  private load(): QueueState {
    try {
      const s = localStorage.getItem(this.storageKey);
      if (s) {
        const v = JSON.parse(s) as QueueState;
        if (Number.isInteger(v.nextSeq) && Array.isArray(v.pending)) return v;
      }
    } catch {
      // unreadable: start empty (the seq restarts at 0 only for a new device registration)
    }
    return { nextSeq: 0, pending: [], inflight: null };
  }

  private save(): void {
    localStorage.setItem(this.storageKey, JSON.stringify(this.state));
  }

  private count(): number {
    return this.state.pending.length + (this.state.inflight?.scans.length ?? 0);
  }

  private publish(patch: Partial<UploaderStatus>): void {
    this.snapshot = { ...this.snapshot, ...patch, queued: this.count() };
    for (const l of this.listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getStatus = (): UploaderStatus => this.snapshot;

  /** Queues a scan (stored at once) and starts sending. */
  add(scan: GateScan): void {
    this.state.pending.push(scan);
    this.save();
    this.publish({});
    this.kick();
  }

  /** Sends what is queued now (after a failure, or when the network returns). */
  kick(): void {
    if (this.wake) {
      const w = this.wake;
      this.wake = null;
      w();
    }
    if (!this.running && !this.stopped) void this.run();
  }

  /** Starts (again) sending what is queued: the page calls it when it mounts. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Stops after the upload under way, if any (the page is leaving). */
  stop(): void {
    this.stopped = true;
    this.kick();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(id);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        if (!this.state.inflight) {
          if (this.state.pending.length === 0) break;
          this.state.inflight = { seq: this.state.nextSeq, scans: this.state.pending.slice(0, MAX_BATCH) };
          this.state.pending = this.state.pending.slice(MAX_BATCH);
          this.state.nextSeq++;
          this.save();
        }
        const batch = this.state.inflight;
        this.publish({ sending: true, retryAt: null });
        const wait = await this.send(batch);
        if (wait === null) {
          this.state.inflight = null;
          this.save();
          this.backoffMs = 1_000;
          this.publish({
            sending: false,
            lastError: null,
            deviceRefused: false,
            lastAcknowledgedAt: Date.now(),
          });
          continue;
        }
        if (wait === "stop") break;
        this.publish({ sending: false, retryAt: Date.now() + wait });
        await this.sleep(wait);
      }
    } finally {
      this.running = false;
      this.publish({ sending: false });
    }
  }

  /** null = acknowledged; a number = retry after that many ms; "stop" = the device must be registered again. */
  private async send(batch: { seq: number; scans: GateScan[] }): Promise<number | null | "stop"> {
    let response: Response;
    let error: unknown;
    try {
      const r = await api.POST("/api/checkin/gate", {
        body: { seq: batch.seq, deviceTime: new Date().toISOString(), scans: batch.scans },
        headers: { Authorization: `Bearer ${this.token}` },
      });
      response = r.response;
      error = r.error;
    } catch {
      this.publish({ lastError: "network" });
      return this.nextBackoff();
    }
    if (response.ok) return null;
    const said = errorMessage(error) ?? `HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403) {
      this.publish({ lastError: said, deviceRefused: true });
      return "stop";
    }
    this.publish({ lastError: said });
    const retryAfter = Number(response.headers.get("retry-after"));
    if (
      (response.status === 429 || response.status === 503) &&
      Number.isFinite(retryAfter) &&
      retryAfter > 0
    ) {
      return retryAfter * 1000;
    }
    // A 400 will not pass by retrying, but the scans must not be dropped: retry slowly, shown on screen.
    return response.status === 400 ? MAX_BACKOFF_MS : this.nextBackoff();
  }

  private nextBackoff(): number {
    const ms = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    return ms;
  }
}

function errorMessage(e: unknown): string | null {
  if (typeof e !== "object" || e === null || !("error" in e)) return null;
  const inner = (e as { error: { message?: unknown } }).error;
  return typeof inner?.message === "string" ? inner.message : null;
}
