import { useRef, useState } from "react";
import { api, unwrap } from "../api/client.ts";
import type { PersonSummary } from "../api/types.ts";

/**
 * Searching the registry as one types (name, pinyin or the last digits of an ID), for a person picker:
 * the latest search's people, every person seen so far (to label the chosen ones), and whether a search
 * is running. Typing waits 250 ms; an answer to an older search is dropped.
 */
export function usePersonSearch() {
  const [options, setOptions] = useState<PersonSummary[]>([]);
  const [known, setKnown] = useState<Map<string, PersonSummary>>(new Map());
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);
  const search = (term: string) => {
    clearTimeout(timer.current);
    const q = term.trim();
    if (!q) return;
    timer.current = setTimeout(async () => {
      const mine = ++seq.current;
      setSearching(true);
      try {
        const r = await unwrap(api.GET("/api/people", { params: { query: { q, pageSize: 20 } } }));
        if (mine === seq.current) {
          setOptions(r.items);
          setKnown((k) => new Map([...k, ...r.items.map((p) => [p.id, p] as const)]));
        }
      } catch {
        if (mine === seq.current) setOptions([]);
      } finally {
        if (mine === seq.current) setSearching(false);
      }
    }, 250);
  };
  return { options, known, searching, search };
}
