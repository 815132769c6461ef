/**
 * A scanner's verifier: the public keys and the revocation list it last fetched, imported once, and
 * the gate's admit/refuse decision. Runs offline: nothing here reaches the network; the page gives it
 * the JSON of `GET /api/codes/keys` and `GET /api/codes/revocations` whenever it has them.
 * docs/capabilities/health-code-format.md.
 */
import type { Message } from "../shared/result.ts";
import type { CodeColour } from "./policy.ts";
import {
  finishVerification,
  importPublicKey,
  type KeyPeriod,
  type StartedVerification,
  startVerification,
  type VerifiedCode,
  type VerifyResult,
  verifyWith,
  type WebCryptoKey,
} from "./format.ts";

/** One key of `GET /api/codes/keys`. */
export interface PublishedKey {
  kid: number;
  /** The raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
  activeFrom: string;
  retiredAt: string | null;
}

/** The scanner's part of the health-code policy, as `GET /api/codes/keys` publishes it. */
export interface ScannerPolicy {
  validitySeconds: number;
  skewSeconds: number;
  revocationPollSeconds: number;
  feverCelsius: number;
  admit: CodeColour[];
}

export interface KeysResponse {
  keys: PublishedKey[];
  policy: ScannerPolicy;
}

export interface RevocationEntry {
  /** The person ref, 32 hex. */
  ref: string;
  downgradedAt: string;
}

export interface RevocationsResponse {
  asOf: string;
  revocations: RevocationEntry[];
}

export interface VerifierUpdate {
  keys?: PublishedKey[];
  /** Merged into what the verifier holds (the endpoint is polled with `since`); the latest downgrade per ref wins. */
  revocations?: RevocationEntry[];
  policy?: ScannerPolicy;
}

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const REF_HEX = /^[0-9a-f]{32}$/;

/**
 * Holds imported keys (kid → CryptoKey, imported once: a key whose bytes did not change is not imported
 * again) and the revocation map (ref → downgraded-at seconds). `verify` does no work a code does not
 * need: one parse into one buffer, one map lookup per check, one WebCrypto call.
 */
export class CodeVerifier {
  private readonly keys = new Map<number, WebCryptoKey>();
  private readonly rawKeys = new Map<number, string>();
  private readonly periods = new Map<number, KeyPeriod>();
  private readonly revocations = new Map<string, number>();
  private currentPolicy: ScannerPolicy | null = null;

  /** The policy last given; null until the first `update` with one. */
  get policy(): ScannerPolicy | null {
    return this.currentPolicy;
  }

  get keyCount(): number {
    return this.keys.size;
  }

  get revocationCount(): number {
    return this.revocations.size;
  }

  /**
   * Takes what the endpoints returned. Keys replace the held set (a key no longer published is
   * dropped); a key that fails to import is left out and its kid returned, so the page can say so.
   */
  async update(u: VerifierUpdate): Promise<{ rejectedKids: number[] }> {
    const rejectedKids: number[] = [];
    if (u.keys) {
      const published = new Set<number>();
      for (const k of u.keys) {
        const activeFrom = seconds(k.activeFrom);
        // Rounded up: a code signed by the old key in the second of the rotation, before it, still passes.
        const retiredAt = k.retiredAt === null ? null : Math.ceil(Date.parse(k.retiredAt) / 1000);
        if (!Number.isInteger(k.kid) || Number.isNaN(activeFrom) || Number.isNaN(retiredAt)) {
          rejectedKids.push(k.kid);
          continue;
        }
        published.add(k.kid);
        this.periods.set(k.kid, { activeFrom, retiredAt });
        if (this.rawKeys.get(k.kid) === k.publicKey) continue;
        try {
          this.keys.set(k.kid, await importPublicKey(k.publicKey));
          this.rawKeys.set(k.kid, k.publicKey);
        } catch {
          published.delete(k.kid);
          rejectedKids.push(k.kid);
        }
      }
      for (const kid of [...this.keys.keys()]) {
        if (!published.has(kid)) {
          this.keys.delete(kid);
          this.rawKeys.delete(kid);
          this.periods.delete(kid);
        }
      }
    }
    if (u.revocations) {
      for (const r of u.revocations) {
        const ref = r.ref.toLowerCase();
        const at = seconds(r.downgradedAt);
        if (!REF_HEX.test(ref) || Number.isNaN(at)) continue;
        const held = this.revocations.get(ref);
        if (held === undefined || at > held) this.revocations.set(ref, at);
      }
    }
    if (u.policy) this.currentPolicy = u.policy;
    return { rejectedKids };
  }

  /**
   * Drops revocations no code can still need: a code issued before `downgradedAt` expired at most
   * `validitySeconds` later, and is refused as expired once the skew has passed too.
   */
  prune(nowSeconds: number): void {
    const p = this.currentPolicy;
    if (!p) return;
    const horizon = nowSeconds - p.validitySeconds - 2 * p.skewSeconds;
    for (const [ref, at] of this.revocations) if (at < horizon) this.revocations.delete(ref);
  }

  /** The revocations held, for keeping them across a reload (localStorage). */
  revocationEntries(): [ref: string, downgradedAtSeconds: number][] {
    return [...this.revocations];
  }

  /** Restores `revocationEntries()` output. */
  restoreRevocations(entries: readonly (readonly [string, number])[]): void {
    for (const [ref, at] of entries) {
      if (!REF_HEX.test(ref) || !Number.isFinite(at)) continue;
      const held = this.revocations.get(ref);
      if (held === undefined || at > held) this.revocations.set(ref, at);
    }
  }

  /** Verifies one QR text at the scanner's clock (seconds). Never rejects. */
  verify(text: string, nowSeconds: number): Promise<VerifyResult> {
    const skew = this.currentPolicy?.skewSeconds ?? 0;
    return verifyWith(text, this.keys, this.periods, this.revocations, nowSeconds, skew);
  }

  /**
   * Verifies many at once: every signature check of the batch is started before any is awaited, and
   * the batch awaits one `Promise.all` of the bare checks (no promise chain per code).
   */
  async verifyMany(texts: readonly string[], nowSeconds: number): Promise<VerifyResult[]> {
    const skew = this.currentPolicy?.skewSeconds ?? 0;
    const started = new Array<StartedVerification>(texts.length);
    const checks: Promise<boolean>[] = [];
    for (let i = 0; i < texts.length; i++) {
      const s = startVerification(texts[i]!, this.keys);
      started[i] = s;
      // A check that rejects (it should not) counts as a bad signature.
      if (s.valid) checks.push(s.valid.catch(() => false));
    }
    const answers = await Promise.all(checks);
    const out = new Array<VerifyResult>(texts.length);
    for (let i = 0, j = 0; i < texts.length; i++) {
      const s = started[i]!;
      out[i] = s.done
        ? s.done
        : finishVerification(s.fields, answers[j++]!, this.periods, this.revocations, nowSeconds, skew);
    }
    return out;
  }
}

export type GateRefusal = "invalid_code" | "colour" | "fever";

export interface GateDecision {
  decision: "admit" | "refuse";
  /** Why refused; null when admitted. */
  reason: GateRefusal | null;
  message: Message;
  /** The verified code, when its signature checked out. */
  code: VerifiedCode | null;
}

const COLOUR_NAMES: Record<CodeColour, Message> = {
  green: { zh: "绿码", en: "green code" },
  yellow: { zh: "黄码", en: "yellow code" },
  red: { zh: "红码", en: "red code" },
  grey: { zh: "灰码", en: "grey code" },
};

/**
 * A gate's decision on a verified scan and the temperature taken (°C; null when not taken): a code
 * that did not verify is refused with its reason; a colour outside `policy.admit` is refused; a
 * temperature at or above `policy.feverCelsius` is refused (protocols.md §5.1, "≥37.3 °C").
 */
export function gateDecision(
  result: VerifyResult,
  temperature: number | null,
  policy: Pick<ScannerPolicy, "admit" | "feverCelsius">,
): GateDecision {
  if (!result.ok) {
    return {
      decision: "refuse",
      reason: "invalid_code",
      message: result.message,
      code: result.code ?? null,
    };
  }
  const code: VerifiedCode = {
    kid: result.kid,
    refHex: result.refHex,
    colour: result.colour,
    vaccination: result.vaccination,
    issuedAt: result.issuedAt,
    expiresAt: result.expiresAt,
  };
  if (!policy.admit.includes(result.colour)) {
    const c = COLOUR_NAMES[result.colour];
    return {
      decision: "refuse",
      reason: "colour",
      message: { zh: `${c.zh}不得进入`, en: `A ${c.en} may not enter` },
      code,
    };
  }
  if (temperature !== null && temperature >= policy.feverCelsius) {
    return {
      decision: "refuse",
      reason: "fever",
      message: {
        zh: `体温 ${temperature.toFixed(1)} °C ≥ ${policy.feverCelsius} °C：不得进入，请引导至发热门诊`,
        en: `Temperature ${temperature.toFixed(1)} °C ≥ ${policy.feverCelsius} °C: may not enter; direct to a fever clinic`,
      },
      code,
    };
  }
  return { decision: "admit", reason: null, message: { zh: "准予进入", en: "May enter" }, code };
}
