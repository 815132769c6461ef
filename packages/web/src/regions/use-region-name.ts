import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client.ts";

const cache = new Map<string, Promise<string>>();

/** A region's name by code (cached for the page's life); the code itself until known or if unreadable. */
export function useRegionName(code: string | null | undefined, enabled = true): string | undefined {
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    setName(undefined);
    if (!code || !enabled) return;
    let current = true;
    let p = cache.get(code);
    if (!p) {
      p = unwrap(api.GET("/api/regions/{code}", { params: { path: { code } } })).then((o) => o.region.name);
      p.catch(() => cache.delete(code));
      cache.set(code, p);
    }
    p.then(
      (n) => current && setName(n),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [code, enabled]);
  return name ?? code ?? undefined;
}
