/*
 * Cordon's offline shell, for the health-code scanner (/scan) and the venue gate (/gate): once one of
 * those pages has loaded with the network up, it opens again with the network down. Registered only by
 * those two pages (packages/web/src/scan/offline.ts); docs/capabilities/health-code-format.md.
 *
 * What it does, and nothing more:
 * - /assets/* (the built app: file names carry a content hash, so a cached file never goes stale) are
 *   served from the cache when there, else fetched and cached;
 * - page loads (navigations) go to the network first; the app's index.html is cached from each success
 *   and served when the network fails, so a bookmarked /scan or /gate opens offline;
 * - the page tells it which assets it already loaded before the worker existed (message "cache"), and
 *   those are cached at once — otherwise the first visit would leave nothing for the offline one;
 * - API calls are never touched: the pages keep the keys, the revocation list and the gate's queue of
 *   scans in localStorage themselves.
 * A new version of this file (CACHE renamed) drops the old cache when it activates.
 */
/* global self, caches */
const CACHE = "cordon-shell-v1";
const SHELL = "/index.html";

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "cache" || !Array.isArray(data.urls)) return;
  const reply = event.ports[0];
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const paths = new Set();
      for (const url of data.urls) {
        const u = new URL(url, self.location.origin);
        if (u.origin !== self.location.origin) continue;
        if (u.pathname.startsWith("/assets/") || u.pathname === SHELL) paths.add(u.pathname);
      }
      // All at once: the page may go offline a moment after its first load.
      const outcomes = await Promise.all(
        [...paths].map(async (path) => {
          if (await cache.match(path)) return true;
          try {
            const res = await fetch(path, { cache: "no-cache" });
            if (res.ok) await cache.put(path, res);
            return res.ok;
          } catch {
            return false; // offline already: the next online visit caches it
          }
        }),
      );
      reply?.postMessage({ type: "cached", ok: outcomes.every(Boolean) });
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const hit = await cache.match(url.pathname);
        if (hit) return hit;
        const res = await fetch(request);
        if (res.ok) await cache.put(url.pathname, res.clone());
        return res;
      })(),
    );
  } else if (request.mode === "navigate") {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        try {
          const res = await fetch(request);
          if (res.ok && (res.headers.get("content-type") ?? "").includes("text/html")) {
            await cache.put(SHELL, res.clone());
          }
          return res;
        } catch (e) {
          const shell = await cache.match(SHELL);
          if (shell) return shell;
          throw e;
        }
      })(),
    );
  }
});
