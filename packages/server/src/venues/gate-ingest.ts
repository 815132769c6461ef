/**
 * The gate upload (POST /api/checkin/gate), the peak path of check-in, as one object both ways in use:
 * the Fastify route (OpenAPI, in-process tests) and the listening server's fast path
 * (gate-fast-path.ts), which takes this one URL before the framework does. Both run the same steps
 * here, so they answer the same: the device's token, its rate and the process's load checked before
 * the body is read; then the body's shape (zod), its content (checkin.service.ts) and the group commit
 * (scan-writer.ts), answered after COMMIT.
 */
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { bulkIds } from "../db/ids.ts";
import { AppError, invalid } from "../http/errors.ts";
import {
  checkinSettings,
  type CheckinSettings,
  type GateUploadInput,
  prepareGateUpload,
} from "./checkin.service.ts";
import { loadDeviceSecret, verifyDeviceToken } from "./device-token.ts";
import { DeviceRateLimiter, LoopDelayGuard } from "./load-shedding.ts";
import { ScanPartitions } from "./scan-partitions.ts";
import { type GateOutcome, ScanWriter, type ScanWriterOptions, WriterOverloaded } from "./scan-writer.ts";

export const Colour = z.enum(["green", "yellow", "red", "grey"]);
export const Instant = z.iso.datetime({ offset: true });

export const GateBody = z.strictObject({
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  deviceTime: Instant,
  scans: z
    .array(
      z.strictObject({
        ref: z.string().max(64),
        colour: Colour,
        vaccination: z.int(),
        temperature: z.number().min(30).max(45).nullable(),
        at: Instant,
        decision: z.enum(["admit", "refuse"]),
        reason: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export interface CheckinOptions {
  writer?: ScanWriterOptions;
  /** Uploads a second per device (bursts of twice that). */
  deviceRate?: number;
  /** Event-loop delay (median over a second, ms) above which uploads are refused with 503. */
  maxLoopDelayMs?: number;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

/** Check-in tuning from the environment (docs/capabilities/venues.md). */
export function checkinOptionsFromEnv(): CheckinOptions {
  const writer: ScanWriterOptions = {};
  const queued = envNumber("CORDON_CHECKIN_QUEUE_SCANS");
  if (queued !== undefined) writer.maxQueuedScans = queued;
  const wait = envNumber("CORDON_CHECKIN_FLUSH_MS");
  if (wait !== undefined) writer.maxWaitMs = wait;
  const inFlight = envNumber("CORDON_CHECKIN_WRITERS");
  if (inFlight !== undefined) writer.maxInFlight = inFlight;
  const o: CheckinOptions = { writer };
  const rate = envNumber("CORDON_CHECKIN_DEVICE_RATE");
  if (rate !== undefined) o.deviceRate = rate;
  const delay = envNumber("CORDON_CHECKIN_MAX_LOOP_DELAY_MS");
  if (delay !== undefined) o.maxLoopDelayMs = delay;
  return o;
}

/** A refusal under load: 429 or 503, with the seconds to wait for the Retry-After header. */
export class ShedError extends AppError {
  readonly retryAfter: number;
  constructor(status: 429 | 503, retryAfter: number, code: string, zh: string, en: string) {
    super(status, code, { zh, en });
    this.retryAfter = retryAfter;
  }
}

const overloaded = () =>
  new ShedError(503, 1, "checkin.overloaded", "服务繁忙，请1秒后重试", "The server is busy: retry in 1 s");

/**
 * A JSON request body as text, parsed with plain JSON.parse rather than the framework's parser, which
 * also scans for "__proto__" and "constructor" keys (a tenth of the parsing time of an upload). The
 * body goes through the zod schema next, which builds new objects of the known keys only, so such keys
 * in the text reach nothing.
 */
export function parseJsonText(text: string): unknown {
  if (!text)
    throw new AppError(400, "malformed_json", { zh: "JSON 请求体为空", en: "The JSON body is empty" });
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    throw new AppError(400, "malformed_json", {
      zh: `JSON 格式错误：${message}`,
      en: `Malformed JSON: ${message}`,
    });
  }
}

/** The 200 answer's JSON, written out (two fields, every upload) rather than by a schema serializer. */
export function gateAnswerJson(a: { accepted: number; duplicate: boolean }): string {
  return `{"accepted":${a.accepted},"duplicate":${a.duplicate}}`;
}

function answer(o: GateOutcome): { accepted: number; duplicate: boolean } {
  switch (o.kind) {
    case "stored":
      return { accepted: o.accepted, duplicate: false };
    case "duplicate":
      return { accepted: o.accepted, duplicate: true };
    case "unknown_device":
      throw new AppError(401, "device.unknown", {
        zh: "扫码设备未登记：请在场所管理中重新登记设备",
        en: "This gate device is not registered: register it again under the venue",
      });
    case "revoked":
      throw new AppError(403, "device.revoked", {
        zh: "该扫码设备已被注销，上传被拒绝",
        en: "This gate device has been revoked; the upload is refused",
      });
    case "venue_inactive":
      throw new AppError(409, "checkin.venue_inactive", {
        zh: "场所已停用，暂不接受扫码登记",
        en: "The venue is inactive and takes no check-ins",
      });
    case "seq_conflict":
      throw new AppError(409, "checkin.seq_reused", {
        zh: "该批次序号已用于内容不同的上传：每批须用新的序号",
        en: "This seq was already used for an upload with other content: every batch needs a new seq",
      });
    case "retry":
      throw new AppError(503, "checkin.retry", {
        zh: "同一批次正在另一处理进程中写入，请稍后重试",
        en: "The same batch is being written by another process; retry shortly",
      });
  }
}

export class GateIngest {
  readonly #db: Db;
  readonly #packs: readonly LoadedPack[];
  readonly #writer: ScanWriter;
  readonly #limiter: DeviceRateLimiter;
  readonly #guard: LoopDelayGuard;
  readonly #maxQueuedScans: number;
  readonly #nextScanId = bulkIds();
  /** Day partitions of venue_scans known to exist; shared with the other check-in routes. */
  readonly partitions: ScanPartitions;
  #secret: Buffer | null = null;
  #loading: Promise<Buffer> | null = null;
  // The settings change only with the packs: computed once a second at most, not per upload.
  #settingsAt = -1;
  #settings: CheckinSettings | null = null;

  constructor(db: Db, packs: readonly LoadedPack[], opts: CheckinOptions = {}) {
    this.#db = db;
    this.#packs = packs;
    this.partitions = new ScanPartitions(db);
    this.#writer = new ScanWriter(db, opts.writer);
    this.#maxQueuedScans = opts.writer?.maxQueuedScans ?? 50_000;
    this.#limiter = new DeviceRateLimiter(opts.deviceRate ?? 20);
    // On the embedded engine the database runs on this event loop, so its delay measures the queries,
    // not overload (a busy test machine tripped it): the guard is for API processes over a server.
    this.#guard = new LoopDelayGuard(opts.maxLoopDelayMs ?? (db.engine === "pglite" ? Infinity : 200));
  }

  /** The secret device tokens are signed with: read on first use (building the app needs no database). */
  deviceSecret(): Promise<Buffer> {
    if (this.#secret) return Promise.resolve(this.#secret);
    return (this.#loading ??= loadDeviceSecret(this.#db, new Date()).then(
      (s) => (this.#secret = s),
      (e: unknown) => {
        this.#loading = null;
        throw e;
      },
    ));
  }

  settings(now: Date): CheckinSettings {
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.#settingsAt || !this.#settings) {
      this.#settings = checkinSettings(this.#packs, now);
      this.#settingsAt = second;
    }
    return this.#settings;
  }

  /**
   * The device an upload comes from, before its body is read; refused with no token, a bad one, a device
   * over its rate or a process over its load. A string once the secret is loaded (no promise per
   * upload), a promise before.
   */
  admit(authorization: string | undefined, nowMs: number): string | Promise<string> {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : "";
    if (!token)
      throw new AppError(401, "device.token_missing", {
        zh: "缺少扫码设备凭据（Authorization: Bearer <设备令牌>）",
        en: "The gate device's credential is missing (Authorization: Bearer <device token>)",
      });
    if (!this.#secret) return this.deviceSecret().then(() => this.admit(authorization, nowMs));
    const deviceId = verifyDeviceToken(this.#secret, token);
    if (!deviceId)
      throw new AppError(401, "device.token_invalid", {
        zh: "扫码设备凭据无效：请重新登记设备",
        en: "The gate device's credential is not valid: register the device again",
      });
    const wait = this.#limiter.take(deviceId, nowMs);
    if (wait)
      throw new ShedError(
        429,
        wait,
        "checkin.device_rate",
        `该设备上传过于频繁，请 ${wait} 秒后重试（多次扫码可合并为一批上传）`,
        `This device uploads too often: retry in ${wait} s (several scans can go in one batch)`,
      );
    if (this.#guard.overloaded || this.#writer.queuedScans >= this.#maxQueuedScans) throw overloaded();
    return deviceId;
  }

  /** Stores an upload whose shape the schema has checked; resolves after COMMIT. */
  async store(
    deviceId: string,
    input: GateUploadInput,
    now: Date,
    log: (e: unknown) => void,
  ): Promise<{ accepted: number; duplicate: boolean }> {
    const prep = prepareGateUpload(deviceId, input, now, this.settings(now), this.#nextScanId);
    if (!prep.ok) throw invalid(prep.errors);
    if (!this.partitions.covers(prep.days)) await this.partitions.ensure(prep.days);
    let outcome: GateOutcome;
    try {
      outcome = await this.#writer.submit(prep.upload);
    } catch (e) {
      if (e instanceof WriterOverloaded) throw overloaded();
      log(e);
      throw new ShedError(
        503,
        2,
        "checkin.store_failed",
        "扫码记录暂时无法保存（未保存），请稍后重试",
        "The scans could not be stored just now (nothing was stored); retry shortly",
      );
    }
    return answer(outcome);
  }

  /** Stops the load guard and waits for the uploads taken to be written. */
  async close(): Promise<void> {
    this.#guard.close();
    await this.#writer.drain();
  }
}
