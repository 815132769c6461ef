import { useEffect, useState } from "react";

/**
 * Makes the page open offline next time: registers the small service worker (public/sw.js) and hands
 * it the app's assets this page has already loaded, which it caches with the page itself. Only the
 * scanner and gate pages call this; the rest of the app never registers a worker. True once the
 * worker has answered that everything is cached.
 */
export function useOfflineShell(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    let current = true;
    void (async () => {
      try {
        await navigator.serviceWorker.register("/sw.js", { scope: "/" });
        const registration = await navigator.serviceWorker.ready;
        if (!current || !registration.active) return;
        const urls = performance
          .getEntriesByType("resource")
          .map((e) => e.name)
          .filter((u) => new URL(u).origin === location.origin && new URL(u).pathname.startsWith("/assets/"));
        const channel = new MessageChannel();
        channel.port1.onmessage = (e: MessageEvent<{ type: string; ok: boolean }>) => {
          if (current && e.data.type === "cached") setReady(e.data.ok);
        };
        registration.active.postMessage({ type: "cache", urls: ["/index.html", ...urls] }, [channel.port2]);
      } catch {
        // No worker (a browser setting, or plain http from another host): the page works online only.
      }
    })();
    return () => {
      current = false;
    };
  }, []);
  return ready;
}
