/**
 * Gate-device credentials, verified without a database read: a token is the device's id and an
 * HMAC-SHA256 of it under the installation's device secret (table venue_device_keys, made once by the
 * first server to start and loaded by every API process at start). Any process checks any token in
 * memory; a revoked device is refused inside the upload's one statement (venue_devices.revoked_at).
 *
 * Token: `cdv1.<device id, 16 bytes base64url>.<first 16 bytes of the HMAC, base64url>`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Queryable } from "../db/db.ts";

const PREFIX = "cdv1";
const MAC_BYTES = 16;

/** The installation's device secret: made on first use (one row, id 1), then read. */
export async function loadDeviceSecret(q: Queryable, now: Date): Promise<Buffer> {
  await q.query(
    `INSERT INTO venue_device_keys (id, secret, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
    [randomBytes(32), now],
  );
  const r = await q.query<{ secret: Buffer | Uint8Array }>(
    `SELECT secret FROM venue_device_keys WHERE id = 1`,
  );
  return Buffer.from(r.rows[0]!.secret);
}

const uuidBytes = (id: string) => Buffer.from(id.replaceAll("-", ""), "hex");

function bytesToUuid(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function mac(secret: Buffer, id: Buffer): Buffer {
  return createHmac("sha256", secret).update(PREFIX).update(id).digest().subarray(0, MAC_BYTES);
}

export function issueDeviceToken(secret: Buffer, deviceId: string): string {
  const id = uuidBytes(deviceId);
  return `${PREFIX}.${id.toString("base64url")}.${mac(secret, id).toString("base64url")}`;
}

/**
 * Tokens already verified, per secret: a gate sends the same token with every upload, and an HMAC per
 * request is a tenth of the peak path's time. Bounded; only ever holds what the HMAC confirmed.
 */
const verified = new WeakMap<Buffer, Map<string, string>>();
const VERIFIED_MAX = 200_000;

/** The device id a token names, or null when the token is malformed or not signed with `secret`. */
export function verifyDeviceToken(secret: Buffer, token: string): string | null {
  let known = verified.get(secret);
  const hit = known?.get(token);
  if (hit) return hit;
  const id = checkToken(secret, token);
  if (id) {
    if (!known) verified.set(secret, (known = new Map()));
    if (known.size >= VERIFIED_MAX) known.clear();
    known.set(token, id);
  }
  return id;
}

function checkToken(secret: Buffer, token: string): string | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const id = Buffer.from(parts[1]!, "base64url");
  const given = Buffer.from(parts[2]!, "base64url");
  if (id.length !== 16 || given.length !== MAC_BYTES) return null;
  return timingSafeEqual(mac(secret, id), given) ? bytesToUuid(id) : null;
}
