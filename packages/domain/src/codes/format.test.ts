/**
 * The signed health code: what a gate's scanner accepts and, for each way a code can be wrong, the
 * reason it gives. Keys are generated in the test (Ed25519, WebCrypto), as the issuing server would.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import {
  base64urlDecode,
  base64urlEncode,
  bytesToHex,
  type CodeFields,
  decodeCode,
  encodeCodePayload,
  hexToBytes,
  importPublicKey,
  type KeyPeriod,
  signCode,
  signedBytes,
  type VerifyResult,
  type WebCryptoKey,
  verifyCode,
} from "./format.ts";

const T0 = Date.parse("2022-01-05T08:10:00+08:00") / 1000; // Xi'an, the morning of a city-wide round
const REF = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 255);
const fields = (over: Partial<CodeFields> = {}): CodeFields => ({
  kid: 7,
  ref: REF,
  colour: "green",
  vaccination: "booster",
  issuedAt: T0,
  expiresAt: T0 + 300,
  ...over,
});

let privateKey: WebCryptoKey;
let otherPrivate: WebCryptoKey;
let keys: Map<number, WebCryptoKey>;

async function ed25519(): Promise<{ privateKey: WebCryptoKey; publicRaw: string }> {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as {
    privateKey: WebCryptoKey;
    publicKey: WebCryptoKey;
  };
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicRaw: base64urlEncode(raw) };
}

before(async () => {
  const a = await ed25519();
  const b = await ed25519();
  privateKey = a.privateKey;
  otherPrivate = b.privateKey;
  keys = new Map([
    [7, await importPublicKey(a.publicRaw)],
    [8, await importPublicKey(b.publicRaw)],
  ]);
});

const verify = (
  text: string,
  over: { now?: number; revocations?: Map<string, number>; keyPeriods?: Map<number, KeyPeriod> } = {},
): Promise<VerifyResult> =>
  verifyCode(text, {
    keys,
    revocations: over.revocations ?? new Map(),
    nowSeconds: over.now ?? T0 + 60,
    skewSeconds: 120,
    ...(over.keyPeriods ? { keyPeriods: over.keyPeriods } : {}),
  });

function refused(r: VerifyResult, reason: string, detail?: string): void {
  assert.equal(r.ok, false, `expected a refusal (${reason}), got ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.reason, reason);
  if (detail !== undefined) assert.equal(r.detail, detail);
  assert.ok(r.message.zh.length > 0 && r.message.en.length > 0, "a refusal says why in both languages");
}

/** A code signed over arbitrary payload bytes (to reach fields no honest issuer writes). */
async function signRaw(payload: Uint8Array, key = privateKey): Promise<string> {
  const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", key, signedBytes(payload)));
  return `CDC1.${base64urlEncode(payload)}.${base64urlEncode(sig)}`;
}

describe("a valid code", () => {
  test("is 134 characters of QR text, CDC1.<42>.<86>, with no name or ID number in it", async () => {
    const text = await signCode(fields(), privateKey);
    assert.match(text, /^CDC1\.[A-Za-z0-9_-]{42}\.[A-Za-z0-9_-]{86}$/);
    assert.equal(text.length, 134);
  });

  test("is read back field by field, and verifies with the issuer's published key", async () => {
    const text = await signCode(fields({ colour: "yellow", vaccination: "partial" }), privateKey);
    const d = decodeCode(text);
    assert.ok(d.ok);
    assert.equal(d.payload.kid, 7);
    assert.equal(d.payload.refHex, bytesToHex(REF));
    assert.equal(d.payload.colour, "yellow");
    assert.equal(d.payload.vaccination, "partial");
    assert.equal(d.payload.issuedAt, T0);
    assert.equal(d.payload.expiresAt, T0 + 300);
    assert.equal(d.signed.length, "cordon-health-code-v1:".length + 31);
    assert.equal(d.signature.length, 64);
    const r = await verify(text);
    assert.deepEqual(r, {
      ok: true,
      kid: 7,
      refHex: bytesToHex(REF),
      colour: "yellow",
      vaccination: "partial",
      issuedAt: T0,
      expiresAt: T0 + 300,
    });
  });

  test("lays out the 31 payload bytes as documented", () => {
    const p = encodeCodePayload(fields({ kid: 0x01020304, colour: "red", vaccination: "unknown" }));
    assert.equal(p.length, 31);
    assert.equal(p[0], 1);
    assert.deepEqual([...p.subarray(1, 5)], [1, 2, 3, 4]);
    assert.deepEqual(p.subarray(5, 21), REF);
    assert.equal(p[21], 3);
    assert.equal(p[22], 255);
    const v = new DataView(p.buffer);
    assert.equal(v.getUint32(23), T0);
    assert.equal(v.getUint32(27), T0 + 300);
  });

  test("a hardware scanner's trailing Enter (CR/LF) does not matter", async () => {
    const text = await signCode(fields(), privateKey);
    assert.equal((await verify(`${text}\r\n`)).ok, true);
  });

  test("the issuer refuses to encode fields no code can carry", () => {
    assert.throws(() => encodeCodePayload(fields({ ref: new Uint8Array(15) })), RangeError);
    assert.throws(() => encodeCodePayload(fields({ expiresAt: T0 })), RangeError);
    assert.throws(() => encodeCodePayload(fields({ kid: -1 })), RangeError);
    assert.throws(() => encodeCodePayload(fields({ issuedAt: 2 ** 32 })), RangeError);
  });
});

describe("bad input is refused with its own reason, never an exception", () => {
  test("nothing read → malformed (empty)", async () => {
    refused(await verify(""), "malformed", "empty");
    refused(await verify("\r\n"), "malformed", "empty");
  });

  test("another QR code (a venue poster's URL) → malformed (not a health code)", async () => {
    refused(await verify("https://cordon.example/checkin?venue=1"), "malformed", "not_a_health_code");
  });

  test("a later format version → malformed (unknown version), by prefix or by the version byte", async () => {
    const text = await signCode(fields(), privateKey);
    refused(await verify(`CDC2${text.slice(4)}`), "malformed", "unknown_version");
    const p = encodeCodePayload(fields());
    p[0] = 2;
    refused(await verify(await signRaw(p)), "malformed", "unknown_version");
    const d = decodeCode(await signRaw(p));
    assert.ok(!d.ok && d.error.code === "unknown_version");
  });

  test("a code cut short (a partial camera read) → malformed (truncated)", async () => {
    const text = await signCode(fields(), privateKey);
    for (const n of [3, 5, 30, 47, 48, 100, 133]) {
      refused(await verify(text.slice(0, n)), "malformed", "truncated");
    }
  });

  test("extra characters → malformed (too long), an extra part → malformed", async () => {
    const text = await signCode(fields(), privateKey);
    refused(await verify(`${text}AAAA`), "malformed", "too_long");
    refused(await verify(`${text}.x`), "malformed", "malformed");
    refused(await verify(`${text} `), "malformed", "too_long");
  });

  test("characters outside base64url, or a non-canonical last character → malformed (bad base64)", async () => {
    const text = await signCode(fields(), privateKey);
    refused(await verify(`${text.slice(0, 10)}+${text.slice(11)}`), "malformed", "bad_base64");
    refused(await verify(`${text.slice(0, 10)}中${text.slice(11)}`), "malformed", "bad_base64");
    // The payload's last character carries 2 bits of data and 4 unused bits, which must be zero.
    const last = 4 + 1 + 41;
    const c = text[last]!;
    const bumped = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(c) + 1;
    const changed = `${text.slice(0, last)}${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[bumped]}${text.slice(last + 1)}`;
    refused(await verify(changed), "malformed", "bad_base64");
  });

  test("a colour or vaccination byte outside the table, or expiry before issue → malformed (bad field)", async () => {
    for (const [i, v] of [
      [21, 4],
      [22, 9],
    ] as const) {
      const p = encodeCodePayload(fields());
      p[i] = v;
      refused(await verify(await signRaw(p)), "malformed", "bad_field");
    }
    const p = encodeCodePayload(fields());
    new DataView(p.buffer).setUint32(27, T0 - 1);
    refused(await verify(await signRaw(p)), "malformed", "bad_field");
  });

  test("a key id the scanner does not know → unknown key", async () => {
    refused(await verify(await signCode(fields({ kid: 99 }), privateKey)), "unknown_key");
  });

  test("signed by a different key than its key id names → bad signature", async () => {
    refused(await verify(await signCode(fields({ kid: 7 }), otherPrivate)), "bad_signature");
  });

  test("a red code edited to green (byte 21), same signature → bad signature", async () => {
    const text = await signCode(fields({ colour: "red" }), privateKey);
    const d = decodeCode(text);
    assert.ok(d.ok);
    const p = d.signed.slice("cordon-health-code-v1:".length);
    p[21] = 1;
    const forged = `CDC1.${base64urlEncode(p)}.${text.split(".")[2]}`;
    assert.equal(decodeCode(forged).ok, true, "the forgery is well-formed");
    refused(await verify(forged), "bad_signature");
  });

  test("a signature made over the bare payload (no domain prefix) → bad signature", async () => {
    const p = encodeCodePayload(fields());
    const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, p));
    refused(await verify(`CDC1.${base64urlEncode(p)}.${base64urlEncode(sig)}`), "bad_signature");
  });

  test("a flipped bit anywhere in the payload or the signature → refused (bad signature or a field check)", async () => {
    const text = await signCode(fields(), privateKey);
    const d = decodeCode(text);
    assert.ok(d.ok);
    const payload = d.signed.slice("cordon-health-code-v1:".length);
    const sig = d.signature.slice();
    for (let bit = 0; bit < (31 + 64) * 8; bit++) {
      const p = payload.slice();
      const s = sig.slice();
      const byte = bit >> 3;
      if (byte < 31) p[byte]! ^= 1 << (bit & 7);
      else s[byte - 31]! ^= 1 << (bit & 7);
      const r = await verify(`CDC1.${base64urlEncode(p)}.${base64urlEncode(s)}`);
      assert.equal(r.ok, false, `bit ${bit} flipped was accepted`);
      if (byte >= 5 && byte !== 21 && byte !== 22 && byte < 23)
        assert.equal(!r.ok && r.reason, "bad_signature");
    }
  });

  test("any input at all returns a result: arbitrary strings never throw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constant("CDC1.")),
        async (s) => {
          const r = await verify(s);
          assert.equal(r.ok, false);
          assert.equal(decodeCode(s).ok, false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("time and revocation", () => {
  test("expired → refused; the device's clock may run 120 s fast before a fresh code is refused", async () => {
    const text = await signCode(fields(), privateKey);
    assert.equal((await verify(text, { now: T0 + 300 })).ok, true);
    assert.equal((await verify(text, { now: T0 + 300 + 120 })).ok, true);
    const r = await verify(text, { now: T0 + 300 + 121 });
    refused(r, "expired");
    assert.equal(!r.ok && r.code?.expiresAt, T0 + 300, "the refusal says when it expired");
  });

  test("issued in the future beyond the skew (a gate whose clock is 10 minutes slow) → not yet valid", async () => {
    const text = await signCode(fields(), privateKey);
    assert.equal((await verify(text, { now: T0 - 120 })).ok, true);
    refused(await verify(text, { now: T0 - 600 }), "not_yet_valid");
  });

  test("the person's colour downgraded at or after issue → revoked; downgraded before → still valid", async () => {
    const text = await signCode(fields(), privateKey);
    const ref = bytesToHex(REF);
    refused(await verify(text, { revocations: new Map([[ref, T0 + 30]]) }), "revoked");
    refused(await verify(text, { revocations: new Map([[ref, T0]]) }), "revoked");
    assert.equal((await verify(text, { revocations: new Map([[ref, T0 - 1]]) })).ok, true);
    assert.equal((await verify(text, { revocations: new Map([["00".repeat(16), T0 + 30]]) })).ok, true);
  });

  test("a code issued after its key was retired (a leaked old key) → unknown key (not active)", async () => {
    const text = await signCode(fields(), privateKey);
    const periods = (activeFrom: number, retiredAt: number | null) =>
      new Map([[7, { activeFrom, retiredAt }]]);
    assert.equal((await verify(text, { keyPeriods: periods(T0 - 86_400, T0 + 1) })).ok, true);
    refused(await verify(text, { keyPeriods: periods(T0 - 86_400, T0) }), "unknown_key", "key_not_active");
    refused(await verify(text, { keyPeriods: periods(T0 + 1, null) }), "unknown_key", "key_not_active");
  });

  test("checks run signature first: a tampered expired code is called tampered, not expired", async () => {
    const text = await signCode(fields(), privateKey);
    const d = decodeCode(text);
    assert.ok(d.ok);
    const s = d.signature.slice();
    s[10]! ^= 4;
    refused(
      await verify(`${text.split(".").slice(0, 2).join(".")}.${base64urlEncode(s)}`, { now: T0 + 9_999 }),
      "bad_signature",
    );
  });
});

describe("property: any single-byte change of a valid code is refused", () => {
  test("replacing one character of the QR text with any other byte", async () => {
    const texts = await Promise.all(
      (["grey", "green", "yellow", "red"] as const).map((colour, i) =>
        signCode(fields({ colour, kid: 7, issuedAt: T0 + i, expiresAt: T0 + 300 + i }), privateKey),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...texts),
        fc.nat({ max: 133 }),
        fc.integer({ min: 0, max: 255 }),
        async (text, at, byte) => {
          fc.pre(text.charCodeAt(at) !== byte);
          // A trailing CR/LF instead of the last character reads as the code without it: truncated.
          const changed = text.slice(0, at) + String.fromCharCode(byte) + text.slice(at + 1);
          const r = await verify(changed);
          assert.equal(r.ok, false, `changed position ${at} to byte ${byte}: ${changed}`);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe("helpers", () => {
  test("base64url matches Node's encoder and round-trips; non-canonical input is null", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const s = base64urlEncode(bytes);
        assert.equal(s, Buffer.from(bytes).toString("base64url"));
        assert.deepEqual(base64urlDecode(s), bytes);
      }),
    );
    assert.equal(base64urlDecode("A"), null);
    assert.equal(base64urlDecode("AB"), null, "unused bits set");
    assert.equal(base64urlDecode("AA=="), null, "no padding");
  });

  test("hex round-trips; odd length or non-hex is null", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => assert.deepEqual(hexToBytes(bytesToHex(b)), b)),
    );
    assert.equal(hexToBytes("abc"), null);
    assert.equal(hexToBytes("zz"), null);
  });

  test("a published key that is not 32 bytes of base64url is refused on import", async () => {
    await assert.rejects(importPublicKey("AAAA"), RangeError);
    await assert.rejects(importPublicKey("!!"), RangeError);
  });
});
