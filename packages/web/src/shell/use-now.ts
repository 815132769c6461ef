import { useSyncExternalStore } from "react";

const TICK_MS = 15_000;
const subscribe = (onTick: () => void) => {
  const id = setInterval(onTick, TICK_MS);
  return () => clearInterval(id);
};
// Rounded so that repeated reads within one tick agree (useSyncExternalStore requires a stable snapshot).
const readNow = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;

/** The browser's time, refreshed every 15 seconds: enough for countdowns shown in minutes. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, readNow);
}
