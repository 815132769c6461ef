/**
 * A gate device's verifier fed with the JSON of the public endpoints, and the gate's decision.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { base64urlEncode, bytesToHex, type CodeFields, signCode, type WebCryptoKey } from "./format.ts";
import { DEFAULT_HEALTH_CODE_POLICY } from "./policy.ts";
import { CodeVerifier, gateDecision, type ScannerPolicy } from "./verify.ts";

const T0 = Date.parse("2022-01-05T08:10:00+08:00") / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();
const policy: ScannerPolicy = {
  ...DEFAULT_HEALTH_CODE_POLICY.code,
  ...DEFAULT_HEALTH_CODE_POLICY.gate,
};
const ref = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i) & 255);
const fields = (over: Partial<CodeFields> = {}): CodeFields => ({
  kid: 1,
  ref: ref(1),
  colour: "green",
  vaccination: "full",
  issuedAt: T0,
  expiresAt: T0 + 300,
  ...over,
});

let k1: { privateKey: WebCryptoKey; publicKey: string };
let k2: { privateKey: WebCryptoKey; publicKey: string };
async function ed25519() {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as {
    privateKey: WebCryptoKey;
    publicKey: WebCryptoKey;
  };
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: base64urlEncode(raw) };
}
before(async () => {
  k1 = await ed25519();
  k2 = await ed25519();
});

describe("CodeVerifier", () => {
  test("key rotation: key 1 retired at T0+100 and key 2 active from then; codes of both verify until key 1's last code expires", async () => {
    const v = new CodeVerifier();
    const r = await v.update({
      keys: [
        { kid: 1, publicKey: k1.publicKey, activeFrom: iso(T0 - 86_400), retiredAt: iso(T0 + 100) },
        { kid: 2, publicKey: k2.publicKey, activeFrom: iso(T0 + 100), retiredAt: null },
      ],
      policy,
    });
    assert.deepEqual(r.rejectedKids, []);
    assert.equal(v.keyCount, 2);
    const old = await signCode(fields({ kid: 1 }), k1.privateKey);
    const fresh = await signCode(fields({ kid: 2, issuedAt: T0 + 120, expiresAt: T0 + 420 }), k2.privateKey);
    const [a, b] = await v.verifyMany([old, fresh], T0 + 150);
    assert.equal(a!.ok, true);
    assert.equal(b!.ok, true);
    const minted = await signCode(fields({ kid: 1, issuedAt: T0 + 120, expiresAt: T0 + 420 }), k1.privateKey);
    const m = await v.verify(minted, T0 + 150);
    assert.equal(!m.ok && m.detail, "key_not_active", "key 1 cannot sign after its retirement");
  });

  test("a code signed by the old key in the second of the rotation, just before it, still verifies", async () => {
    const v = new CodeVerifier();
    const rotation = new Date((T0 + 100) * 1000 + 500).toISOString();
    await v.update({
      keys: [{ kid: 1, publicKey: k1.publicKey, activeFrom: iso(T0 - 86_400), retiredAt: rotation }],
      policy,
    });
    const last = await signCode(fields({ issuedAt: T0 + 100, expiresAt: T0 + 400 }), k1.privateKey);
    assert.equal((await v.verify(last, T0 + 101)).ok, true);
    const after = await signCode(fields({ issuedAt: T0 + 101, expiresAt: T0 + 401 }), k1.privateKey);
    const r = await v.verify(after, T0 + 102);
    assert.equal(!r.ok && r.detail, "key_not_active");
  });

  test("a key no longer published is dropped; a key that is not a key is reported, not imported", async () => {
    const v = new CodeVerifier();
    await v.update({
      keys: [{ kid: 1, publicKey: k1.publicKey, activeFrom: iso(0), retiredAt: null }],
      policy,
    });
    const code = await signCode(fields(), k1.privateKey);
    assert.equal((await v.verify(code, T0)).ok, true);
    const r = await v.update({
      keys: [
        { kid: 2, publicKey: k2.publicKey, activeFrom: iso(0), retiredAt: null },
        { kid: 3, publicKey: "not-a-key", activeFrom: iso(0), retiredAt: null },
      ],
    });
    assert.deepEqual(r.rejectedKids, [3]);
    assert.equal(v.keyCount, 1);
    const x = await v.verify(code, T0);
    assert.equal(!x.ok && x.reason, "unknown_key");
  });

  test("revocations polled every minute merge (the latest downgrade wins) and are pruned once no code can need them", async () => {
    const v = new CodeVerifier();
    await v.update({
      keys: [{ kid: 1, publicKey: k1.publicKey, activeFrom: iso(0), retiredAt: null }],
      policy,
    });
    const hex = bytesToHex(ref(1));
    await v.update({ revocations: [{ ref: hex, downgradedAt: iso(T0 - 10) }] });
    const code = await signCode(fields(), k1.privateKey);
    assert.equal((await v.verify(code, T0 + 5)).ok, true, "downgraded before this code was issued");
    await v.update({ revocations: [{ ref: hex.toUpperCase(), downgradedAt: iso(T0 + 30) }] });
    await v.update({ revocations: [{ ref: hex, downgradedAt: iso(T0 - 500) }] });
    const r = await v.verify(code, T0 + 40);
    assert.equal(!r.ok && r.reason, "revoked");
    assert.equal(v.revocationCount, 1);
    v.prune(T0 + 30 + 300 + 240);
    assert.equal(v.revocationCount, 1, "kept while a code issued just before could still pass");
    v.prune(T0 + 30 + 300 + 241);
    assert.equal(v.revocationCount, 0);
  });

  test("revocations survive a reload through revocationEntries / restoreRevocations", async () => {
    const v = new CodeVerifier();
    await v.update({ revocations: [{ ref: bytesToHex(ref(2)), downgradedAt: iso(T0) }] });
    const w = new CodeVerifier();
    w.restoreRevocations(JSON.parse(JSON.stringify(v.revocationEntries())) as [string, number][]);
    assert.deepEqual(w.revocationEntries(), [[bytesToHex(ref(2)), T0]]);
  });

  test("a batch gives, code by code, what single verification gives: good, tampered, unreadable, revoked, unknown key", async () => {
    const v = new CodeVerifier();
    await v.update({
      keys: [{ kid: 1, publicKey: k1.publicKey, activeFrom: iso(0), retiredAt: null }],
      policy,
    });
    await v.update({ revocations: [{ ref: bytesToHex(ref(3)), downgradedAt: iso(T0 + 1) }] });
    const good = await signCode(fields(), k1.privateKey);
    const tampered = good.slice(0, -3) + (good.at(-3) === "A" ? "B" : "A") + good.slice(-2);
    const texts = [
      good,
      tampered,
      "CDC1.short",
      await signCode(fields({ ref: ref(3) }), k1.privateKey),
      await signCode(fields({ kid: 2 }), k2.privateKey),
    ];
    const batch = await v.verifyMany(texts, T0 + 10);
    const single = await Promise.all(texts.map((t) => v.verify(t, T0 + 10)));
    assert.deepEqual(batch, single);
    assert.deepEqual(
      batch.map((r) => (r.ok ? "ok" : r.reason)),
      ["ok", "bad_signature", "malformed", "revoked", "unknown_key"],
    );
  });

  test("the clock skew comes from the published policy", async () => {
    const v = new CodeVerifier();
    await v.update({
      keys: [{ kid: 1, publicKey: k1.publicKey, activeFrom: iso(0), retiredAt: null }],
      policy,
    });
    const code = await signCode(fields(), k1.privateKey);
    assert.equal((await v.verify(code, T0 + 300 + 120)).ok, true);
    assert.equal((await v.verify(code, T0 + 300 + 121)).ok, false);
  });
});

describe("the gate's decision", () => {
  const ok = {
    ok: true as const,
    kid: 1,
    refHex: "00".repeat(16),
    colour: "green" as const,
    vaccination: "full" as const,
    issuedAt: T0,
    expiresAt: T0 + 300,
  };
  test("a green code at 36.5 °C is admitted", () => {
    const d = gateDecision(ok, 36.5, policy);
    assert.equal(d.decision, "admit");
    assert.equal(d.code?.colour, "green");
  });
  test("a yellow code is refused (only green codes may enter, protocols.md §5.2)", () => {
    const d = gateDecision({ ...ok, colour: "yellow" }, 36.5, policy);
    assert.deepEqual([d.decision, d.reason], ["refuse", "colour"]);
    assert.match(d.message.zh, /黄码/);
  });
  test("a green code at 37.3 °C is refused for fever (≥37.3 °C, protocols.md §5.1); 37.2 °C is admitted", () => {
    assert.deepEqual(
      [gateDecision(ok, 37.3, policy).decision, gateDecision(ok, 37.3, policy).reason],
      ["refuse", "fever"],
    );
    assert.equal(gateDecision(ok, 37.2, policy).decision, "admit");
    assert.equal(gateDecision(ok, null, policy).decision, "admit", "no temperature taken");
  });
  test("a code that did not verify is refused with the verifier's reason", () => {
    const d = gateDecision(
      { ok: false, reason: "bad_signature", message: { zh: "签名无效", en: "Invalid signature" } },
      36.5,
      policy,
    );
    assert.deepEqual([d.decision, d.reason, d.message.en], ["refuse", "invalid_code", "Invalid signature"]);
  });
});
