/**
 * Check-in (扫码登记) both ways: a venue's gate device uploads the codes it scanned (a single scan is
 * an upload of one), and a person checks themself in by scanning the venue's code with their phone.
 * The gate path is the peak path: no session, no database read before the one statement that stores
 * the upload (scan-writer.ts). Its input is checked here, in memory, and a rejected upload stores nothing.
 */
import { hash } from "node:crypto";
import { DEFAULT_HEALTH_CODE_POLICY } from "@cordon/domain/codes/policy";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { type FieldError, fieldError } from "@cordon/domain/shared/result";
import { shanghaiDateOf, shanghaiDayStart } from "@cordon/domain/shared/shanghai-time";
import { v7 as uuidv7 } from "uuid";
import { healthCodePolicyAt } from "../codes/code-policy.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, notFound } from "../http/errors.ts";
import type { ScanPartitions } from "./scan-partitions.ts";
import type { GateUpload, PreparedScan } from "./scan-writer.ts";
import { findVenue, insertSelfCheckin } from "./venue.repository.ts";
import { VENUE } from "./venue.service.ts";

const DAY = 86_400_000;
const VACCINATION = new Set([0, 1, 2, 3, 255]);
const REF = /^[0-9a-fA-F]{32}$/;
/** At most this many field errors are listed for one upload. */
const MAX_ERRORS = 20;

/** The numbers check-in uses, from the national health-code policy in force. */
export interface CheckinSettings {
  /** A device clock off by more than this is corrected; a scan later than now + this is refused. */
  skewSeconds: number;
  /** Scans older than this are refused (they would be purged at once). */
  retentionDays: number;
  /** Colours a self check-in admits. */
  admit: readonly string[];
}

/**
 * The settings in force at `at`: the health-code policy of the pack in force for the whole country
 * (region 000000), else the defaults. Scans live in one partitioned table, purged by whole days, so
 * one retention applies to all of them.
 */
export function checkinSettings(packs: readonly LoadedPack[], at: Date): CheckinSettings {
  const { policy } = packs.length
    ? healthCodePolicyAt(packs, "000000", at)
    : { policy: DEFAULT_HEALTH_CODE_POLICY };
  return {
    skewSeconds: policy.code.skewSeconds,
    retentionDays: policy.scans.retentionDays,
    admit: policy.gate.admit,
  };
}

export interface GateScanInput {
  ref: string;
  colour: "green" | "yellow" | "red" | "grey";
  vaccination: number;
  temperature: number | null;
  at: string;
  decision: "admit" | "refuse";
  reason?: string | undefined;
}

export interface GateUploadInput {
  seq: number;
  deviceTime: string;
  scans: GateScanInput[];
}

export type Prepared =
  | { ok: true; upload: GateUpload; days: Set<string>; skewCorrectedMs: number }
  | { ok: false; errors: FieldError[] };

/**
 * Checks an upload and corrects its times for the device's clock: when the device's clock (deviceTime,
 * stamped when it sent) differs from the server's by more than the skew tolerance, every scan's `at` is
 * moved by that difference. Then a scan later than now (plus the tolerance) or older than the retention
 * is refused, and with it the whole upload.
 */
export function prepareGateUpload(
  deviceId: string,
  input: GateUploadInput,
  receivedAt: Date,
  settings: CheckinSettings,
  nextId: () => string = uuidv7,
): Prepared {
  const errors: FieldError[] = [];
  const now = receivedAt.getTime();
  const skewMs = settings.skewSeconds * 1000;
  const deviceTime = Date.parse(input.deviceTime);
  const offset = now - deviceTime;
  const correction = Math.abs(offset) > skewMs ? offset : 0;
  const oldest = now - settings.retentionDays * DAY;
  const content: string[] = [];
  const scans: PreparedScan[] = [];
  const days = new Set<string>();
  // The Beijing date of the previous scan's day: scans of one upload nearly always share it.
  let dayStart = Number.NaN;
  for (let i = 0; i < input.scans.length && errors.length < MAX_ERRORS; i++) {
    const s = input.scans[i]!;
    const f = `scans.${i}`;
    if (!REF.test(s.ref))
      errors.push(
        fieldError(
          `${f}.ref`,
          "checkin.ref_format",
          "人员码引用应为32位十六进制字符",
          "ref is 32 hexadecimal characters",
        ),
      );
    if (!VACCINATION.has(s.vaccination))
      errors.push(
        fieldError(
          `${f}.vaccination`,
          "checkin.vaccination_value",
          "接种状态应为 0、1、2、3 或 255（未知）",
          "vaccination is 0, 1, 2, 3 or 255 (unknown)",
        ),
      );
    const at = Date.parse(s.at) + correction;
    if (at > now + skewMs)
      errors.push(
        fieldError(
          `${f}.at`,
          "checkin.at_future",
          `扫码时间晚于服务器当前时间（校正设备时钟后仍晚 ${Math.round((at - now) / 1000)} 秒）`,
          `The scan's time is after the server's clock (${Math.round((at - now) / 1000)} s ahead, after correcting the device's clock)`,
        ),
      );
    else if (at < oldest)
      errors.push(
        fieldError(
          `${f}.at`,
          "checkin.at_expired",
          `扫码时间早于 ${settings.retentionDays} 天保存期限，不再接收`,
          `The scan is older than the ${settings.retentionDays}-day retention and is no longer accepted`,
        ),
      );
    const ref = s.ref.toLowerCase();
    const reason = s.reason ?? null;
    content.push(`${ref}|${s.colour}|${s.vaccination}|${s.temperature}|${s.at}|${s.decision}|${reason}`);
    if (errors.length) continue;
    if (!(at >= dayStart && at < dayStart + DAY)) {
      dayStart = shanghaiDayStart(at);
      days.add(shanghaiDateOf(at));
    }
    scans.push({
      id: nextId(),
      ref,
      colour: s.colour,
      vaccination: s.vaccination,
      temperature: s.temperature,
      at,
      decision: s.decision,
      reason,
    });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    upload: { deviceId, seq: input.seq, hash: hash("sha256", content.join("\n"), "hex"), receivedAt, scans },
    days,
    skewCorrectedMs: correction,
  };
}

export interface SelfCheckin {
  venue: { id: string; name: string; address: string };
  colour: "green" | "yellow" | "red" | "grey";
  decision: "admit" | "refuse";
  at: Date;
}

/**
 * A person checks themself in at a venue by scanning its code: stored with the colour of their code now
 * and the decision the gate policy gives it (a grey code — none computed yet — is not admitted).
 */
export async function selfCheckin(
  db: Db,
  ctx: RequestContext,
  partitions: ScanPartitions,
  settings: CheckinSettings,
  venueId: string,
): Promise<SelfCheckin> {
  const actor = requireActor(ctx);
  if (!actor.personId)
    throw new AppError(403, "checkin.no_person", {
      zh: "此账号未关联个人档案，不能扫场所码登记：请用居民本人的账号登录",
      en: "This account is not linked to a person: log in with the resident's own account to check in",
    });
  await partitions.ensure([shanghaiDateOf(ctx.now.getTime())]);
  const row = await insertSelfCheckin(db, {
    id: uuidv7(),
    venueId,
    personId: actor.personId,
    at: ctx.now,
    admit: settings.admit,
  });
  if (!row) {
    const venue = await findVenue(db, venueId);
    if (!venue) throw notFound(VENUE);
    throw new AppError(409, "checkin.venue_inactive", {
      zh: `场所“${venue.name}”已停用，暂不接受扫码登记`,
      en: `The venue “${venue.name}” is inactive and takes no check-ins`,
    });
  }
  return {
    venue: { id: venueId, name: row.venueName, address: row.venueAddress },
    colour: row.colour as SelfCheckin["colour"],
    decision: row.decision,
    at: row.at,
  };
}
