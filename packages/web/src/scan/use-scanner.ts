import type { KeysResponse, ScannerPolicy } from "@cordon/domain/codes/verify";
import { CodeVerifier } from "@cordon/domain/codes/verify";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "../api/client.ts";

/**
 * The scanner's keys and revocation list: loaded from localStorage at once (so the page verifies
 * offline after a first visit), then from `GET /api/codes/keys` and `GET /api/codes/revocations`,
 * which are polled every `revocationPollSeconds` (60 s). Everything a scan needs stays on the device;
 * the network only refreshes it.
 */

const KEYS_STORAGE = "cordon.scan.keys";
const REVOCATIONS_STORAGE = "cordon.scan.revocations";
/** Keys change only on rotation: fetched on load, every 15 minutes, and when a code names an unknown kid. */
const KEYS_REFRESH_MS = 15 * 60_000;
/** Fetching `since` a little before the last answer's asOf: a downgrade committed just then is not missed. */
const OVERLAP_SECONDS = 30;

interface StoredKeys {
  fetchedAt: number;
  body: KeysResponse;
}
interface StoredRevocations {
  fetchedAt: number;
  asOf: string;
  entries: [string, number][];
}

function read<T>(key: string): T | null {
  try {
    const s = localStorage.getItem(key);
    return s ? (JSON.parse(s) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or refused (private window): the page still works while open, just not after a reload offline.
  }
}

export interface ScannerStatus {
  /** Keys and policy are loaded (from the network or this device's storage): codes can be verified. */
  ready: boolean;
  policy: ScannerPolicy | null;
  /** When the keys and the revocation list were last fetched (ms), null if never on this device. */
  keysAt: number | null;
  revocationsAt: number | null;
  /** The last fetch failed (or the browser says it is offline): verifying from what is stored. */
  offline: boolean;
  keyCount: number;
  revocationCount: number;
}

export interface Scanner {
  verifier: CodeVerifier;
  status: ScannerStatus;
  /** Fetch keys and revocations now (a code named an unknown key, or the user asked). */
  refresh: () => void;
}

export function useScanner(): Scanner {
  const [verifier] = useState(() => new CodeVerifier());
  const [status, setStatus] = useState<ScannerStatus>({
    ready: false,
    policy: null,
    keysAt: null,
    revocationsAt: null,
    offline: typeof navigator !== "undefined" && !navigator.onLine,
    keyCount: 0,
    revocationCount: 0,
  });
  const asOf = useRef<string | null>(null);
  const lastKeysFetch = useRef(0);

  const publish = useCallback(
    (patch: Partial<ScannerStatus>) =>
      setStatus((s) => ({
        ...s,
        ...patch,
        ready: verifier.keyCount > 0 && verifier.policy !== null,
        policy: verifier.policy,
        keyCount: verifier.keyCount,
        revocationCount: verifier.revocationCount,
      })),
    [verifier],
  );

  const fetchKeys = useCallback(async () => {
    lastKeysFetch.current = Date.now();
    const body = await unwrap(api.GET("/api/codes/keys"));
    await verifier.update({ keys: body.keys, policy: body.policy });
    const fetchedAt = Date.now();
    write(KEYS_STORAGE, { fetchedAt, body } satisfies StoredKeys);
    publish({ keysAt: fetchedAt });
  }, [verifier, publish]);

  const fetchRevocations = useCallback(async () => {
    const since = asOf.current
      ? new Date(Date.parse(asOf.current) - OVERLAP_SECONDS * 1000).toISOString()
      : undefined;
    const body = await unwrap(
      api.GET("/api/codes/revocations", { params: { query: since ? { since } : {} } }),
    );
    await verifier.update({ revocations: body.revocations });
    verifier.prune(Math.floor(Date.now() / 1000));
    asOf.current = body.asOf;
    const fetchedAt = Date.now();
    write(REVOCATIONS_STORAGE, {
      fetchedAt,
      asOf: body.asOf,
      entries: verifier.revocationEntries(),
    } satisfies StoredRevocations);
    publish({ revocationsAt: fetchedAt });
  }, [verifier, publish]);

  const sync = useCallback(
    async (forceKeys: boolean) => {
      try {
        if (forceKeys || verifier.keyCount === 0 || Date.now() - lastKeysFetch.current > KEYS_REFRESH_MS) {
          await fetchKeys();
        }
        await fetchRevocations();
        // Online, unless the browser went offline while the answer was on its way: a request sent
        // before that may still succeed, and must not cover the "offline" the event just showed.
        publish({ offline: typeof navigator !== "undefined" && !navigator.onLine });
      } catch {
        publish({ offline: true });
      }
    },
    [verifier, fetchKeys, fetchRevocations, publish],
  );

  // What this device kept from its last visit, before any network call.
  useEffect(() => {
    let current = true;
    const keys = read<StoredKeys>(KEYS_STORAGE);
    const revs = read<StoredRevocations>(REVOCATIONS_STORAGE);
    void (async () => {
      if (keys) await verifier.update({ keys: keys.body.keys, policy: keys.body.policy });
      if (revs) {
        verifier.restoreRevocations(revs.entries);
        verifier.prune(Math.floor(Date.now() / 1000));
        asOf.current = revs.asOf;
      }
      if (current) publish({ keysAt: keys?.fetchedAt ?? null, revocationsAt: revs?.fetchedAt ?? null });
      if (current) await sync(true);
    })();
    return () => {
      current = false;
    };
  }, [verifier, publish, sync]);

  // The revocation list every revocationPollSeconds, and at once when the network comes back.
  const pollSeconds = status.policy?.revocationPollSeconds ?? 60;
  useEffect(() => {
    const id = setInterval(() => void sync(false), pollSeconds * 1000);
    const online = () => void sync(false);
    const offline = () => publish({ offline: true });
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      clearInterval(id);
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    };
  }, [pollSeconds, sync, publish]);

  const refresh = useCallback(() => void sync(true), [sync]);
  return { verifier, status, refresh };
}
