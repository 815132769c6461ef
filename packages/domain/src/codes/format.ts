/**
 * The signed health code (健康码) as a QR text: `CDC1.<payload base64url>.<signature base64url>`.
 *
 * The payload is 31 bytes (docs/capabilities/health-code-format.md):
 *
 * | bytes | field |
 * |---|---|
 * | 0 | format version = 1 |
 * | 1–4 | key id, uint32 big-endian |
 * | 5–20 | person ref: 16 random bytes per person (pseudonymous, not derived from identity) |
 * | 21 | colour: 0 grey, 1 green, 2 yellow, 3 red |
 * | 22 | vaccination: 0 none, 1 partial, 2 full, 3 booster, 255 unknown |
 * | 23–26 | issued-at, uint32 seconds since the epoch |
 * | 27–30 | expires-at, uint32 seconds since the epoch |
 *
 * The signature is Ed25519 over the ASCII bytes `cordon-health-code-v1:` followed by the 31 payload bytes
 * (the prefix keeps a signature made for something else from ever passing for a code). No name or ID
 * number is in the code: a scanner learns a colour, a vaccination status and a validity window, nothing
 * that says who the holder is.
 *
 * Pure and isomorphic: WebCrypto (`globalThis.crypto.subtle`, algorithm "Ed25519") only, so the same
 * module runs on the server (Node 24) and in a scanner's browser. Nothing here throws on a bad code:
 * every way a text can be wrong has its own reason and bilingual message.
 */
import type { Message } from "../shared/result.ts";
import type { CodeColour } from "./policy.ts";

/** A WebCrypto key, typed the same way in Node and in the browser. */
export type WebCryptoKey = InstanceType<typeof CryptoKey>;

export const CODE_PREFIX = "CDC1.";
export const FORMAT_VERSION = 1;
export const PAYLOAD_BYTES = 31;
export const SIGNATURE_BYTES = 64;
export const REF_BYTES = 16;
/** The domain-separation prefix of the signed bytes. */
export const SIGNATURE_CONTEXT = "cordon-health-code-v1:";
const ALGORITHM = "Ed25519";

export type Vaccination = "none" | "partial" | "full" | "booster" | "unknown";

/** Colour ↔ byte 21. */
export const COLOUR_BYTES: Readonly<Record<CodeColour, number>> = { grey: 0, green: 1, yellow: 2, red: 3 };
const COLOUR_OF_BYTE: readonly CodeColour[] = ["grey", "green", "yellow", "red"];

/** Vaccination ↔ byte 22 (also the number the gate upload carries, `POST /api/checkin/gate`). */
export const VACCINATION_BYTES: Readonly<Record<Vaccination, number>> = {
  none: 0,
  partial: 1,
  full: 2,
  booster: 3,
  unknown: 255,
};

function vaccinationOfByte(b: number): Vaccination | null {
  switch (b) {
    case 0:
      return "none";
    case 1:
      return "partial";
    case 2:
      return "full";
    case 3:
      return "booster";
    case 255:
      return "unknown";
    default:
      return null;
  }
}

/** What a code says. Times are whole seconds since the epoch (UTC). */
export interface CodeFields {
  kid: number;
  /** 16 bytes. */
  ref: Uint8Array;
  colour: CodeColour;
  vaccination: Vaccination;
  issuedAt: number;
  expiresAt: number;
}

// ---------------------------------------------------------------------------------------------------
// hex and base64url

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

/** Lower- or upper-case hex of an even length; null for anything else. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Character code → 6-bit value, or -1 (for every code unit up to 255; others are rejected by range). */
const B64URL_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[B64URL.charCodeAt(i)] = i;
  return t;
})();

/** base64url without padding (RFC 4648 §5). */
export function base64urlEncode(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return s;
}

/**
 * Decodes `text[start, end)` as canonical unpadded base64url into `out` at `offset`; returns the number of
 * bytes written, or -1 when a character is outside the alphabet, the length is impossible, the unused
 * low bits of the last character are not zero (so no two texts decode to the same bytes — a changed
 * character can never slip through), or `out` is too short.
 */
export function base64urlDecodeInto(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): number {
  const len = end - start;
  const rem = len & 3;
  if (rem === 1) return -1;
  const n = (len >>> 2) * 3 + (rem === 0 ? 0 : rem - 1);
  if (offset + n > out.length) return -1;
  let o = offset;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 255) return -1;
    const a = B64URL_VALUE[c0]!;
    const b = B64URL_VALUE[c1]!;
    const c = B64URL_VALUE[c2]!;
    const d = B64URL_VALUE[c3]!;
    if ((a | b | c | d) < 0) return -1;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem >= 2) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = rem === 3 ? text.charCodeAt(i + 2) : 65; // "A" = 0
    if ((c0 | c1 | c2) > 255) return -1;
    const a = B64URL_VALUE[c0]!;
    const b = B64URL_VALUE[c1]!;
    const c = B64URL_VALUE[c2]!;
    if ((a | b | c) < 0) return -1;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (rem === 3) {
      if ((v & 255) !== 0) return -1;
      out[o] = (v >>> 8) & 255;
    } else if ((v & 0xffff) !== 0) return -1;
  }
  return n;
}

/** Canonical unpadded base64url → bytes; null when it is not. */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  const rem = text.length & 3;
  if (rem === 1) return null;
  const out = new Uint8Array((text.length >>> 2) * 3 + (rem === 0 ? 0 : rem - 1));
  return base64urlDecodeInto(text, 0, text.length, out, 0) < 0 ? null : out;
}

// ---------------------------------------------------------------------------------------------------
// encoding and decoding

const CONTEXT_BYTES = Uint8Array.from(SIGNATURE_CONTEXT, (c) => c.charCodeAt(0));
/** Where the payload starts in the signed bytes. */
const P = CONTEXT_BYTES.length;
const SIGNED_BYTES = P + PAYLOAD_BYTES;
const PAYLOAD_CHARS = 42; // ceil(31 · 4 / 3)
const SIGNATURE_CHARS = 86; // ceil(64 · 4 / 3)
const MAX_UINT32 = 0xffff_ffff;

/** Why a fields object cannot be encoded (a bug of the issuer, not bad input from a scanner). */
function checkFields(f: CodeFields): string | null {
  if (!Number.isInteger(f.kid) || f.kid < 0 || f.kid > MAX_UINT32) return `kid ${f.kid} is not a uint32`;
  if (f.ref.length !== REF_BYTES) return `ref has ${f.ref.length} bytes, not ${REF_BYTES}`;
  if (!(f.colour in COLOUR_BYTES)) return `unknown colour ${String(f.colour)}`;
  if (!(f.vaccination in VACCINATION_BYTES)) return `unknown vaccination ${String(f.vaccination)}`;
  for (const [name, v] of [
    ["issuedAt", f.issuedAt],
    ["expiresAt", f.expiresAt],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_UINT32) return `${name} ${v} is not uint32 seconds`;
  }
  if (f.expiresAt <= f.issuedAt) return "expiresAt must be after issuedAt";
  return null;
}

/** The 31 payload bytes. Throws on fields no valid code can carry (the issuer's bug, not user input). */
export function encodeCodePayload(fields: CodeFields): Uint8Array<ArrayBuffer> {
  const problem = checkFields(fields);
  if (problem) throw new RangeError(`encodeCodePayload: ${problem}`);
  const out = new Uint8Array(PAYLOAD_BYTES);
  const view = new DataView(out.buffer);
  out[0] = FORMAT_VERSION;
  view.setUint32(1, fields.kid);
  out.set(fields.ref, 5);
  out[21] = COLOUR_BYTES[fields.colour];
  out[22] = VACCINATION_BYTES[fields.vaccination];
  view.setUint32(23, fields.issuedAt);
  view.setUint32(27, fields.expiresAt);
  return out;
}

/** The bytes a signature covers: the context prefix, then the payload. */
export function signedBytes(payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(SIGNED_BYTES);
  out.set(CONTEXT_BYTES, 0);
  out.set(payload, P);
  return out;
}

export type DecodeErrorCode =
  | "empty"
  | "not_a_health_code"
  | "unknown_version"
  | "malformed"
  | "bad_base64"
  | "truncated"
  | "too_long"
  | "bad_field";

export interface DecodeError {
  code: DecodeErrorCode;
  message: Message;
}

export interface DecodedPayload extends CodeFields {
  refHex: string;
}

export type DecodeResult =
  | { ok: true; payload: DecodedPayload; signed: Uint8Array<ArrayBuffer>; signature: Uint8Array<ArrayBuffer> }
  | { ok: false; error: DecodeError };

const DECODE_ERRORS: Readonly<Record<DecodeErrorCode, DecodeError>> = {
  empty: {
    code: "empty",
    message: { zh: "没有读到码的内容", en: "Nothing was read from the code" },
  },
  not_a_health_code: {
    code: "not_a_health_code",
    message: { zh: "这不是 Cordon 健康码", en: "This is not a Cordon health code" },
  },
  unknown_version: {
    code: "unknown_version",
    message: {
      zh: "健康码格式版本不受支持（请更新扫码页面）",
      en: "Unsupported health code format version (update the scanner page)",
    },
  },
  malformed: {
    code: "malformed",
    message: {
      zh: "健康码结构错误：应为「CDC1.内容.签名」三段",
      en: "Malformed health code: expected three parts, CDC1.payload.signature",
    },
  },
  bad_base64: {
    code: "bad_base64",
    message: {
      zh: "健康码含有非法字符（base64url 编码错误）",
      en: "The health code contains invalid characters (bad base64url)",
    },
  },
  truncated: {
    code: "truncated",
    message: {
      zh: "健康码不完整（内容或签名被截断），请重新扫描",
      en: "The health code is incomplete (payload or signature truncated); scan again",
    },
  },
  too_long: {
    code: "too_long",
    message: {
      zh: "健康码内容过长，不是有效的码",
      en: "The health code is longer than any valid code",
    },
  },
  bad_field: {
    code: "bad_field",
    message: {
      zh: "健康码字段取值无效（颜色、接种状态或有效期）",
      en: "The health code holds an invalid field (colour, vaccination or validity)",
    },
  },
};

function fail(code: DecodeErrorCode): { ok: false; error: DecodeError } {
  return { ok: false, error: DECODE_ERRORS[code] };
}

interface Parsed {
  /** Context prefix + payload (the signed bytes); the payload is `signed.subarray(P)`. */
  signed: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

/**
 * Splits and base64url-decodes a QR text into one fresh buffer: [context | payload | signature]. Checks
 * the structure only; the fields are read by `readFields`.
 */
function parse(text: unknown): Parsed | DecodeErrorCode {
  if (typeof text !== "string") return "empty";
  // Hardware scanners may add a trailing CR/LF; anything else around the code is refused below.
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  if (end === 0) return "empty";
  if (end <= CODE_PREFIX.length && CODE_PREFIX.startsWith(text.slice(0, end))) return "truncated";
  if (!text.startsWith("CDC")) return "not_a_health_code";
  if (!text.startsWith(CODE_PREFIX)) {
    // "CDC2." and later are versions this scanner does not know.
    return /^CDC[0-9]+\./.test(text) ? "unknown_version" : "not_a_health_code";
  }
  const dot = text.indexOf(".", CODE_PREFIX.length);
  if (dot < 0) return end - CODE_PREFIX.length <= PAYLOAD_CHARS ? "truncated" : "malformed";
  if (text.indexOf(".", dot + 1) >= 0) return "malformed";
  const payloadChars = dot - CODE_PREFIX.length;
  const signatureChars = end - dot - 1;
  if (payloadChars > PAYLOAD_CHARS || signatureChars > SIGNATURE_CHARS) return "too_long";
  if (payloadChars < PAYLOAD_CHARS || signatureChars < SIGNATURE_CHARS) return "truncated";
  // One buffer per code, [context | payload | signature]: WebCrypto gets views of it, never shared ones.
  const buf = new Uint8Array(SIGNED_BYTES + SIGNATURE_BYTES);
  buf.set(CONTEXT_BYTES, 0);
  if (
    base64urlDecodeInto(text, CODE_PREFIX.length, dot, buf, P) < 0 ||
    base64urlDecodeInto(text, dot + 1, end, buf, SIGNED_BYTES) < 0
  ) {
    return "bad_base64";
  }
  return { signed: buf.subarray(0, SIGNED_BYTES), signature: buf.subarray(SIGNED_BYTES) };
}

/** A big-endian uint32 (no DataView per code: this runs for every scan). */
function uint32At(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

/** Reads the payload's fields; an error code when the version is unknown or a field is out of range. */
function readFields(signed: Uint8Array): DecodedPayload | DecodeErrorCode {
  if (signed[P] !== FORMAT_VERSION) return "unknown_version";
  const colour = COLOUR_OF_BYTE[signed[P + 21]!];
  const vaccination = vaccinationOfByte(signed[P + 22]!);
  const issuedAt = uint32At(signed, P + 23);
  const expiresAt = uint32At(signed, P + 27);
  if (colour === undefined || vaccination === null || expiresAt <= issuedAt) return "bad_field";
  const ref = signed.subarray(P + 5, P + 21);
  return {
    kid: uint32At(signed, P + 1),
    ref,
    refHex: bytesToHex(ref),
    colour,
    vaccination,
    issuedAt,
    expiresAt,
  };
}

/**
 * Reads a QR text without checking its signature. Never throws: a malformed, truncated, badly encoded
 * or unknown-version text is an error with its own code and message.
 */
export function decodeCode(text: string): DecodeResult {
  const parsed = parse(text);
  if (typeof parsed === "string") return fail(parsed);
  const payload = readFields(parsed.signed);
  if (typeof payload === "string") return fail(payload);
  return { ok: true, payload, signed: parsed.signed, signature: parsed.signature };
}

// ---------------------------------------------------------------------------------------------------
// keys, signing and verifying

function subtle(): typeof globalThis.crypto.subtle {
  return globalThis.crypto.subtle;
}

/** An Ed25519 public key published as 32 raw bytes in base64url. Rejects a key that is not one. */
export async function importPublicKey(rawBase64url: string): Promise<WebCryptoKey> {
  const raw = base64urlDecode(rawBase64url);
  if (!raw || raw.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes of base64url");
  return subtle().importKey("raw", raw, { name: ALGORITHM }, true, ["verify"]);
}

/** The QR text of a code, signed with the issuing key (an Ed25519 private CryptoKey). */
export async function signCode(fields: CodeFields, privateKey: WebCryptoKey): Promise<string> {
  const payload = encodeCodePayload(fields);
  const signature = new Uint8Array(await subtle().sign(ALGORITHM, privateKey, signedBytes(payload)));
  return `${CODE_PREFIX}${base64urlEncode(payload)}.${base64urlEncode(signature)}`;
}

export type RefusalReason =
  "malformed" | "unknown_key" | "bad_signature" | "expired" | "not_yet_valid" | "revoked";

/** A code whose signature checked out. */
export interface VerifiedCode {
  kid: number;
  refHex: string;
  colour: CodeColour;
  vaccination: Vaccination;
  issuedAt: number;
  expiresAt: number;
}

export type VerifyResult =
  | ({ ok: true } & VerifiedCode)
  | {
      ok: false;
      reason: RefusalReason;
      /** For "malformed": which way (truncated, bad base64, unknown version, …); for "unknown_key": "key_not_active" when the key was not in force at issue. */
      detail?: DecodeErrorCode | "key_not_active";
      message: Message;
      /** The signed fields, for refusals after the signature checked out (expired, not yet valid, revoked). */
      code?: VerifiedCode;
    };

/** A published key's period of use, seconds since the epoch; codes issued outside it are refused. */
export interface KeyPeriod {
  activeFrom: number;
  retiredAt: number | null;
}

export interface VerifyOptions {
  keys: ReadonlyMap<number, WebCryptoKey>;
  /** Person ref (32 lower-case hex) → when its colour was last downgraded (seconds). */
  revocations: ReadonlyMap<string, number>;
  nowSeconds: number;
  /** How far the scanner's clock may be off, either way. */
  skewSeconds: number;
  /** When given, a code issued outside its key's period is refused (a retired key's leak cannot mint codes). */
  keyPeriods?: ReadonlyMap<number, KeyPeriod>;
}

type Refusal = Extract<VerifyResult, { ok: false }>;

const REFUSALS = {
  unknown_key: {
    ok: false,
    reason: "unknown_key",
    message: {
      zh: "签发密钥未知：请联网更新公钥后重试，仍不行则此码不是本系统签发",
      en: "Unknown signing key: go online to refresh the public keys; if it persists the code was not issued by this system",
    },
  },
  key_not_active: {
    ok: false,
    reason: "unknown_key",
    detail: "key_not_active",
    message: {
      zh: "此码的签发时间不在其签发密钥的启用期内，拒绝",
      en: "The code was issued outside its signing key's period of use; refused",
    },
  },
  bad_signature: {
    ok: false,
    reason: "bad_signature",
    message: {
      zh: "签名无效：此码被篡改或伪造",
      en: "Invalid signature: this code was tampered with or forged",
    },
  },
} as const satisfies Record<string, Refusal>;

const TIME_MESSAGES: Record<"expired" | "not_yet_valid" | "revoked", Message> = {
  expired: {
    zh: "此码已过期：请持码人刷新健康码",
    en: "This code has expired: the holder should refresh it",
  },
  not_yet_valid: {
    zh: "此码的签发时间晚于本机时间：请检查本设备的时钟",
    en: "This code was issued later than this device's time: check this device's clock",
  },
  revoked: {
    zh: "此码签发后颜色已变更（已撤销）：请持码人刷新健康码",
    en: "The colour changed after this code was issued (revoked): the holder should refresh it",
  },
};

function malformed(code: DecodeErrorCode): Refusal {
  const e = DECODE_ERRORS[code];
  return { ok: false, reason: "malformed", detail: code, message: e.message };
}
const MALFORMED: Readonly<Record<DecodeErrorCode, Refusal>> = {
  empty: malformed("empty"),
  not_a_health_code: malformed("not_a_health_code"),
  unknown_version: malformed("unknown_version"),
  malformed: malformed("malformed"),
  bad_base64: malformed("bad_base64"),
  truncated: malformed("truncated"),
  too_long: malformed("too_long"),
  bad_field: malformed("bad_field"),
};

/**
 * Verifies a QR text offline: structure, key, signature, the key's period, validity (with the clock
 * skew allowed either way), and revocation (the ref downgraded at or after issue). Never throws, never
 * rejects; the checks run in that order, so a changed byte is "bad signature" even in an expired code.
 */
export function verifyCode(text: string, options: VerifyOptions): Promise<VerifyResult> {
  return verifyWith(
    text,
    options.keys,
    options.keyPeriods,
    options.revocations,
    options.nowSeconds,
    options.skewSeconds,
  );
}

/**
 * The first half of a verification, everything before the signature check: a refusal already decided
 * (`done`), or the decoded fields and the pending WebCrypto check. `finishVerification` does the rest
 * synchronously once the check has answered — so a batch awaits one `Promise.all`, not a chain per code.
 */
export type StartedVerification =
  | { done: VerifyResult; fields?: undefined; valid?: undefined }
  | { done?: undefined; fields: DecodedPayload; valid: Promise<boolean> };

export function startVerification(
  text: string,
  keys: ReadonlyMap<number, WebCryptoKey>,
): StartedVerification {
  const parsed = parse(text);
  if (typeof parsed === "string") return { done: MALFORMED[parsed] };
  const fields = readFields(parsed.signed);
  if (typeof fields === "string") return { done: MALFORMED[fields] };
  const key = keys.get(fields.kid);
  if (key === undefined) return { done: REFUSALS.unknown_key };
  try {
    return { fields, valid: subtle().verify(ALGORITHM, key, parsed.signature, parsed.signed) };
  } catch {
    return { done: REFUSALS.bad_signature };
  }
}

/** The second half: the signature's answer, the key's period, validity with skew, and revocation. */
export function finishVerification(
  fields: DecodedPayload,
  valid: boolean,
  keyPeriods: ReadonlyMap<number, KeyPeriod> | undefined,
  revocations: ReadonlyMap<string, number>,
  nowSeconds: number,
  skewSeconds: number,
): VerifyResult {
  if (!valid) return REFUSALS.bad_signature;
  const period = keyPeriods?.get(fields.kid);
  if (
    period &&
    (fields.issuedAt < period.activeFrom ||
      (period.retiredAt !== null && fields.issuedAt >= period.retiredAt))
  ) {
    return REFUSALS.key_not_active;
  }
  let reason: "expired" | "not_yet_valid" | "revoked" | null = null;
  if (nowSeconds > fields.expiresAt + skewSeconds) reason = "expired";
  else if (fields.issuedAt > nowSeconds + skewSeconds) reason = "not_yet_valid";
  else {
    const downgradedAt = revocations.get(fields.refHex);
    if (downgradedAt !== undefined && downgradedAt >= fields.issuedAt) reason = "revoked";
  }
  const code: VerifiedCode = {
    kid: fields.kid,
    refHex: fields.refHex,
    colour: fields.colour,
    vaccination: fields.vaccination,
    issuedAt: fields.issuedAt,
    expiresAt: fields.expiresAt,
  };
  if (reason === null) return { ok: true, ...code };
  return { ok: false, reason, message: TIME_MESSAGES[reason], code };
}

/** `verifyCode` with positional arguments: what `CodeVerifier` calls once per code, with no options object. */
export function verifyWith(
  text: string,
  keys: ReadonlyMap<number, WebCryptoKey>,
  keyPeriods: ReadonlyMap<number, KeyPeriod> | undefined,
  revocations: ReadonlyMap<string, number>,
  nowSeconds: number,
  skewSeconds: number,
): Promise<VerifyResult> {
  const started = startVerification(text, keys);
  if (started.done) return Promise.resolve(started.done);
  const fields = started.fields;
  return started.valid.then(
    (valid) => finishVerification(fields, valid, keyPeriods, revocations, nowSeconds, skewSeconds),
    () => REFUSALS.bad_signature,
  );
}
