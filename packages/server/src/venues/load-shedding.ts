/**
 * Load shedding for check-in (issue 7 item 5): under overload the API answers 429/503 with Retry-After
 * at once, instead of queueing without bound and falling over. These guards are per process and hold
 * nothing another process needs: a device's rate is limited where its requests land.
 */
import { type ELDHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/** A token bucket per device: `rate` uploads a second on average, bursts of `burst`. */
export class DeviceRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(rate: number, burst = rate * 2) {
    this.#rate = rate;
    this.#burst = burst;
  }

  /** 0 when the device may upload now, else the seconds to wait. */
  take(deviceId: string, nowMs: number): number {
    let b = this.#buckets.get(deviceId);
    if (!b) {
      if (this.#buckets.size > 100_000) this.#sweep(nowMs);
      b = { tokens: this.#burst, at: nowMs };
      this.#buckets.set(deviceId, b);
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((nowMs - b.at) / 1000) * this.#rate);
    b.at = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#rate));
  }

  /** Forgets devices whose buckets are full again (idle long enough). */
  #sweep(nowMs: number): void {
    for (const [id, b] of this.#buckets)
      if (b.tokens + ((nowMs - b.at) / 1000) * this.#rate >= this.#burst) this.#buckets.delete(id);
  }
}

/**
 * Event-loop delay: when the process is so busy that timers run late by more than `maxDelayMs` most of
 * the time (the median over the last second), new uploads are refused with 503 until it recovers. The
 * median, not the worst: one long task (a PDF rendered, an embedded-database query) is not overload.
 */
export class LoopDelayGuard {
  readonly #histogram: ELDHistogram;
  readonly #timer: NodeJS.Timeout;
  #overloaded = false;
  #delayMs = 0;

  constructor(maxDelayMs: number) {
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#delayMs = this.#histogram.percentile(50) / 1e6;
      this.#overloaded = this.#delayMs > maxDelayMs;
      this.#histogram.reset();
    }, 1000);
    this.#timer.unref();
  }

  get overloaded(): boolean {
    return this.#overloaded;
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
