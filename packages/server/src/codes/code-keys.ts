/**
 * The issuing authority's Ed25519 keys (docs/capabilities/health-code-format.md, "Keys"). Kept in the
 * database, so every API process signs with the same key and a rotation reaches all of them within a
 * minute (the ring reloads); the newest active key signs, retired keys stay published until the last
 * code they signed has expired. Private keys never leave this module.
 */
import { generateKeyPairSync } from "node:crypto";
import type { WebCryptoKey } from "@cordon/domain/codes/format";
import type { Db, Queryable } from "../db/db.ts";

export interface KeyRow {
  kid: number;
  publicKey: Uint8Array;
  privateKeyDer: Uint8Array<ArrayBuffer>;
  createdAt: Date;
  activeFrom: Date;
  retiredAt: Date | null;
}

interface RawKeyRow {
  kid: number;
  public_key: Uint8Array;
  private_key: Uint8Array;
  created_at: Date;
  active_from: Date;
  retired_at: Date | null;
}

const toRow = (r: RawKeyRow): KeyRow => ({
  kid: r.kid,
  publicKey: new Uint8Array(r.public_key),
  privateKeyDer: new Uint8Array(r.private_key),
  createdAt: r.created_at,
  activeFrom: r.active_from,
  retiredAt: r.retired_at,
});

export async function loadKeys(q: Queryable): Promise<KeyRow[]> {
  const r = await q.query<RawKeyRow>(
    `SELECT kid, public_key, private_key, created_at, active_from, retired_at FROM code_signing_keys ORDER BY kid`,
  );
  return r.rows.map(toRow);
}

/** A fresh Ed25519 pair: the raw public key and the PKCS#8 private key. */
function newPair(): { publicKey: Uint8Array; privateKeyDer: Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return {
    publicKey: new Uint8Array(Buffer.from(jwk.x!, "base64url")),
    privateKeyDer: new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" })),
  };
}

/**
 * Adds a key that signs from `now` and retires the ones before it (they stay published). Under an
 * advisory lock, so two processes starting at once make one key, not two.
 */
export async function addKey(
  tx: Queryable,
  now: Date,
  by: string | null,
  opts: { onlyIfNone: boolean },
): Promise<KeyRow | null> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('code_signing_keys'))`);
  if (opts.onlyIfNone) {
    const active = await tx.query(`SELECT 1 FROM code_signing_keys WHERE retired_at IS NULL LIMIT 1`);
    if (active.rowCount) return null;
  }
  const next = await tx.query<{ kid: number }>(
    `SELECT coalesce(max(kid), 0) + 1 AS kid FROM code_signing_keys`,
  );
  const kid = Number(next.rows[0]!.kid);
  const pair = newPair();
  await tx.query(`UPDATE code_signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, [now]);
  const r = await tx.query<RawKeyRow>(
    `INSERT INTO code_signing_keys (kid, public_key, private_key, created_at, created_by, active_from)
     VALUES ($1, $2, $3, $4, $5, $4)
     RETURNING kid, public_key, private_key, created_at, active_from, retired_at`,
    [kid, pair.publicKey, pair.privateKeyDer, now, by],
  );
  return toRow(r.rows[0]!);
}

/** The keys a scanner needs: active ones and retired ones whose codes may still be unexpired. */
export function publishedKeys(keys: readonly KeyRow[], now: Date, keepSeconds: number): KeyRow[] {
  return keys.filter((k) => !k.retiredAt || k.retiredAt.getTime() + keepSeconds * 1000 > now.getTime());
}

/** The signing key: the newest active one. */
export function signingKey(keys: readonly KeyRow[]): KeyRow | null {
  let best: KeyRow | null = null;
  for (const k of keys) if (!k.retiredAt && (!best || k.kid > best.kid)) best = k;
  return best;
}

/**
 * The keys as one process holds them: loaded from the database, reloaded at most every `reloadMs`
 * (a rotation elsewhere is seen within that time), the private key imported once per key.
 */
export class KeyRing {
  private keys: KeyRow[] = [];
  private loadedAt = -Infinity;
  private readonly imported = new Map<number, Promise<WebCryptoKey>>();
  private readonly db: Db;
  private readonly reloadMs: number;

  constructor(db: Db, reloadMs = 60_000) {
    this.db = db;
    this.reloadMs = reloadMs;
  }

  /** The current keys; makes the first key when there is none. */
  async current(now: Date): Promise<KeyRow[]> {
    if (Date.now() - this.loadedAt > this.reloadMs || !signingKey(this.keys)) {
      let keys = await loadKeys(this.db);
      if (!signingKey(keys)) {
        await this.db.transaction((tx) => addKey(tx, now, null, { onlyIfNone: true }));
        keys = await loadKeys(this.db);
      }
      this.keys = keys;
      this.loadedAt = Date.now();
    }
    return this.keys;
  }

  /** Forget what was loaded (after a rotation in this process). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  async signer(now: Date): Promise<{ kid: number; key: WebCryptoKey }> {
    const k = signingKey(await this.current(now))!;
    let p = this.imported.get(k.kid);
    if (!p) {
      p = globalThis.crypto.subtle.importKey("pkcs8", k.privateKeyDer, { name: "Ed25519" }, false, ["sign"]);
      this.imported.set(k.kid, p);
    }
    return { kid: k.kid, key: await p };
  }
}
