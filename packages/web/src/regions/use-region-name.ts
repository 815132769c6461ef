import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client.ts";

const cache = new Map<string, Promise<string>>();

function regionName(code: string): Promise<string> {
  let p = cache.get(code);
  if (!p) {
    p = unwrap(api.GET("/api/regions/{code}", { params: { path: { code } } })).then((o) => o.region.name);
    p.catch(() => cache.delete(code));
    cache.set(code, p);
  }
  return p;
}

/** A region's name by code (cached for the page's life); the code itself until known or if unreadable. */
export function useRegionName(code: string | null | undefined, enabled = true): string | undefined {
  const [known, setKnown] = useState<{ code: string; name: string } | null>(null);
  useEffect(() => {
    if (!code || !enabled) return;
    let current = true;
    regionName(code).then(
      (name) => current && setKnown({ code, name }),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [code, enabled]);
  return known && known.code === code ? known.name : (code ?? undefined);
}
