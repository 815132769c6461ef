import { useCallback, useEffect, useEffectEvent, useState } from "react";
import { ApiError } from "./client.ts";

export interface ApiData<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

interface Settled<T> {
  /** Which request (key and reload count) this outcome belongs to. */
  request: string;
  data: T | undefined;
  error: ApiError | undefined;
}

/**
 * Loads data for a page and reloads it whenever `key` changes (null: load nothing). While a new load
 * runs, the previous data stays on screen; the outcome of a load overtaken by a newer one is dropped,
 * so fast typing or paging never shows stale rows.
 */
export function useApiData<T>(key: string | null, load: () => Promise<T>): ApiData<T> {
  const [nonce, setNonce] = useState(0);
  const [settled, setSettled] = useState<Settled<T>>({ request: "", data: undefined, error: undefined });
  const request = `${nonce}:${key}`;
  const run = useEffectEvent(load);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    const id = `${nonce}:${key}`;
    run().then(
      (data) => {
        if (current) setSettled({ request: id, data, error: undefined });
      },
      (e: unknown) => {
        if (!current) return;
        const error =
          e instanceof ApiError
            ? e
            : new ApiError(0, "unexpected", e instanceof Error ? e.message : String(e));
        setSettled((s) => ({ request: id, data: s.data, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const done = settled.request === request;
  return {
    data: settled.data,
    error: done ? settled.error : undefined,
    loading: key !== null && !done,
    reload,
  };
}
