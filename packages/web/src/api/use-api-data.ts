import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "./client.ts";

export interface ApiData<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads data for a page and reloads it whenever `key` changes (null: load nothing). Results of a load
 * overtaken by a newer one are dropped, so fast typing or paging never shows stale rows.
 */
export function useApiData<T>(key: string | null, load: () => Promise<T>): ApiData<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: key !== null,
  });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce is the trigger of reload(), not read inside
  useEffect(() => {
    if (key === null) return;
    let current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    loadRef.current().then(
      (data) => {
        if (current) setState({ data, error: undefined, loading: false });
      },
      (e: unknown) => {
        if (!current) return;
        const error =
          e instanceof ApiError
            ? e
            : new ApiError(0, "unexpected", e instanceof Error ? e.message : String(e));
        setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
