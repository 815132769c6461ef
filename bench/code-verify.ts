/**
 * Offline verification of signed health codes (issue 7 item 8c, target ≥ 10,000 codes/s on one core):
 * 20,000 distinct codes signed with 4 keys (one retired mid-way, as in a rotation), 2 % of the people
 * downgraded after their code was issued (refused as revoked) and 1 % of the codes with one signature
 * bit flipped (refused as tampered). The SAME module a scanner page loads
 * (packages/domain/src/codes/verify.ts and format.ts, type-stripped and served from http://localhost so
 * WebCrypto is available) verifies all of them in headless Chromium pinned to one core (`taskset -c 0`),
 * in batches (every signature check of a batch started before any is awaited). Baseline, same run, same
 * signatures: a bare `crypto.subtle.verify` loop in the same page — the floor no verifier can beat.
 * The same two measurements in Node (this process pinned to one core while it measures) for reference.
 *
 *   node bench/code-verify.ts [--codes 20000] [--batch 1000] [--runs 5] [--seed 7]
 *
 * Needs Chromium (/usr/bin/chromium or CORDON_CHROMIUM) and `taskset` (util-linux). No database.
 */
import { execFileSync } from "node:child_process";
import { createPublicKey, verify as verifySync } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { stripTypeScriptTypes } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import {
  base64urlEncode,
  bytesToHex,
  type CodeFields,
  decodeCode,
  signCode,
  type WebCryptoKey,
} from "../packages/domain/src/codes/format.ts";
import type * as FormatModule from "../packages/domain/src/codes/format.ts";
import type * as VerifyModule from "../packages/domain/src/codes/verify.ts";
import type { KeysResponse, RevocationEntry } from "../packages/domain/src/codes/verify.ts";
import { seededRandom } from "./lib/seeded.ts";

const CODES_DIR = join(import.meta.dirname, "..", "packages", "domain", "src", "codes");
/** The scanner's clock in the benchmark: every code is valid then, unless revoked or tampered. */
const NOW = Date.parse("2022-01-05T08:10:00+08:00") / 1000;

export interface CodeVerifyInput {
  codes: string[];
  keys: KeysResponse;
  revocations: RevocationEntry[];
  expected: { ok: number; revoked: number; badSignature: number };
}

export interface Measurement {
  /** Codes per second of each run (the verifier), and of the bare WebCrypto loop. */
  verifierRuns: number[];
  rawRuns: number[];
  verifierPerSecond: number;
  rawPerSecond: number;
  /** Median over the runs of verifier ÷ the bare loop run just before it (robust to a machine's drift). */
  medianRatio: number;
}

export interface CodeVerifyResult {
  codes: number;
  kids: number;
  revoked: number;
  tampered: number;
  batch: number;
  runs: number;
  chromium: Measurement & { version: string };
  node: Measurement & { version: string };
  /** The machine's own Ed25519 speed on one core: OpenSSL's synchronous verify (node:crypto), no WebCrypto. */
  opensslSyncPerSecond: number;
}

/** Signs the benchmark's codes (not timed): 4 kids, the first retired an hour before NOW. */
export async function generateCodes(count: number, seed: number): Promise<CodeVerifyInput> {
  const rnd = seededRandom(seed);
  const kids = [101, 102, 103, 104];
  const privates: WebCryptoKey[] = [];
  const keys: KeysResponse["keys"] = [];
  for (const kid of kids) {
    const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as {
      privateKey: WebCryptoKey;
      publicKey: WebCryptoKey;
    };
    privates.push(pair.privateKey);
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    keys.push({
      kid,
      publicKey: base64urlEncode(raw),
      activeFrom: new Date((NOW - 86_400) * 1000).toISOString(),
      retiredAt: kid === 101 ? new Date((NOW - 3_600) * 1000).toISOString() : null,
    });
  }
  const colours = ["green", "green", "green", "green", "green", "green", "yellow", "red", "grey"] as const;
  const vaccinations = ["none", "partial", "full", "full", "booster", "booster", "unknown"] as const;
  const codes: string[] = [];
  const revocations: RevocationEntry[] = [];
  let revoked = 0;
  let badSignature = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(rnd() * kids.length);
    // Key 101 retired at NOW − 3600: its codes were issued before that (and last 2 h here, to still be valid).
    const issuedAt = k === 0 ? NOW - 3_600 - 1 - Math.floor(rnd() * 600) : NOW - Math.floor(rnd() * 280);
    const ref = new Uint8Array(16);
    for (let j = 0; j < 16; j++) ref[j] = Math.floor(rnd() * 256);
    ref[0] = i & 255; // distinct refs even for an unlucky seed
    ref[1] = (i >> 8) & 255;
    ref[2] = (i >> 16) & 255;
    const f: CodeFields = {
      kid: kids[k]!,
      ref,
      colour: colours[Math.floor(rnd() * colours.length)]!,
      vaccination: vaccinations[Math.floor(rnd() * vaccinations.length)]!,
      issuedAt,
      expiresAt: k === 0 ? NOW + 3_000 : issuedAt + 300,
    };
    const fate = rnd();
    const tamper = fate < 0.01;
    if (tamper) badSignature++;
    else if (fate < 0.03) {
      revoked++;
      revocations.push({
        ref: bytesToHex(ref),
        downgradedAt: new Date((issuedAt + 5) * 1000).toISOString(),
      });
    }
    const at = i;
    pending.push(
      signCode(f, privates[k]!).then((text) => {
        codes[at] = tamper ? flipSignatureBit(text, at) : text;
      }),
    );
    if (pending.length === 1000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  // A few revocations of people not scanned, and of scanned people before their code (not revoking it).
  for (let i = 0; i < count / 100; i++) {
    revocations.push({
      ref: i.toString(16).padStart(32, "f"),
      downgradedAt: new Date(NOW * 1000).toISOString(),
    });
  }
  return {
    codes,
    keys: {
      keys,
      policy: {
        validitySeconds: 300,
        skewSeconds: 120,
        revocationPollSeconds: 60,
        feverCelsius: 37.3,
        admit: ["green"],
      },
    },
    revocations,
    expected: { ok: count - revoked - badSignature, revoked, badSignature },
  };
}

/** One signature character changed to another whose 6 bits differ in the lowest bit (not the last). */
function flipSignatureBit(text: string, i: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const at = text.length - 2 - (i % 80);
  const c = alphabet[alphabet.indexOf(text[at]!) ^ 1]!;
  return text.slice(0, at) + c + text.slice(at + 1);
}

interface MeasureArgs {
  formatUrl: string;
  verifyUrl: string;
  input: CodeVerifyInput;
  now: number;
  batch: number;
  runs: number;
}

/**
 * The measurement, run as is in the page (passed to `page.evaluate`, so it closes over nothing) and in
 * Node: imports the verifier module from the URL given, then alternates runs of the bare WebCrypto loop
 * and of `CodeVerifier.verifyMany` over the same codes, in batches.
 */
async function measure(a: MeasureArgs): Promise<Measurement> {
  const format = (await import(a.formatUrl)) as typeof FormatModule;
  const verify = (await import(a.verifyUrl)) as typeof VerifyModule;
  const subtle = globalThis.crypto.subtle;
  const codes = a.input.codes;
  const verifier = new verify.CodeVerifier();
  await verifier.update({
    keys: a.input.keys.keys,
    policy: a.input.keys.policy,
    revocations: a.input.revocations,
  });
  // The floor's inputs, prepared untimed: each code's key, signed bytes and signature.
  const keyOf = new Map<number, Awaited<ReturnType<typeof format.importPublicKey>>>();
  for (const k of a.input.keys.keys) keyOf.set(k.kid, await format.importPublicKey(k.publicKey));
  const raw = codes.map((c) => {
    const d = format.decodeCode(c);
    if (!d.ok) throw new Error(`benchmark code does not decode: ${d.error.code}`);
    return { key: keyOf.get(d.payload.kid)!, signed: d.signed, signature: d.signature };
  });
  const e = a.input.expected;
  /** One pass of the bare WebCrypto loop over the first n codes; codes/s. */
  const rawPass = async (n: number): Promise<number> => {
    const t0 = performance.now();
    let valid = 0;
    for (let i = 0; i < n; i += a.batch) {
      const part = raw.slice(i, Math.min(i + a.batch, n));
      const out = await Promise.all(part.map((r) => subtle.verify("Ed25519", r.key, r.signature, r.signed)));
      for (const v of out) if (v) valid++;
    }
    const rate = n / ((performance.now() - t0) / 1000);
    if (n === raw.length && valid !== e.ok + e.revoked) throw new Error(`raw loop: ${valid} valid`);
    return rate;
  };
  /** One pass of the verifier over the first n codes, its verdicts checked; codes/s. */
  const verifierPass = async (n: number): Promise<number> => {
    const t0 = performance.now();
    let ok = 0;
    let revoked = 0;
    let bad = 0;
    for (let i = 0; i < n; i += a.batch) {
      const out = await verifier.verifyMany(codes.slice(i, Math.min(i + a.batch, n)), a.now);
      for (const r of out) {
        if (r.ok) ok++;
        else if (r.reason === "revoked") revoked++;
        else if (r.reason === "bad_signature") bad++;
      }
    }
    const rate = n / ((performance.now() - t0) / 1000);
    if (n === codes.length && (ok !== e.ok || revoked !== e.revoked || bad !== e.badSignature)) {
      throw new Error(
        `verifier: ${ok} ok, ${revoked} revoked, ${bad} tampered; expected ${JSON.stringify(e)}`,
      );
    }
    return rate;
  };
  // Warm-up (not counted): both paths compiled before the first timed pass.
  await rawPass(Math.min(2_000, codes.length));
  await verifierPass(Math.min(2_000, codes.length));
  const rawRuns: number[] = [];
  const verifierRuns: number[] = [];
  for (let run = 0; run < a.runs; run++) {
    // Alternating which goes first: neither gains from the machine's drift within a run.
    if (run % 2 === 0) {
      rawRuns.push(await rawPass(codes.length));
      verifierRuns.push(await verifierPass(codes.length));
    } else {
      verifierRuns.push(await verifierPass(codes.length));
      rawRuns.push(await rawPass(codes.length));
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return {
    verifierRuns,
    rawRuns,
    verifierPerSecond: median(verifierRuns),
    rawPerSecond: median(rawRuns),
    medianRatio: median(verifierRuns.map((v, i) => v / rawRuns[i]!)),
  };
}

/** Synchronous one-shot verifies (OpenSSL via node:crypto) of the same codes, per second. */
function syncVerifyRate(input: CodeVerifyInput): number {
  const keys = new Map(
    input.keys.keys.map((k) => [
      k.kid,
      createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: k.publicKey }, format: "jwk" }),
    ]),
  );
  const items = input.codes.map((c) => {
    const d = decodeCode(c);
    if (!d.ok) throw new Error(d.error.code);
    return { key: keys.get(d.payload.kid)!, signed: d.signed, signature: d.signature };
  });
  const t0 = performance.now();
  let valid = 0;
  for (const it of items) if (verifySync(null, it.signed, it.key, it.signature)) valid++;
  const rate = items.length / ((performance.now() - t0) / 1000);
  if (valid !== input.expected.ok + input.expected.revoked) throw new Error(`sync verify: ${valid} valid`);
  return rate;
}

/** Serves the type-stripped verifier modules and a blank page from http://localhost (a secure context). */
async function serveModules(): Promise<{ url: string; close: () => Promise<void> }> {
  const files: Record<string, string> = {};
  for (const f of ["format.ts", "verify.ts"]) {
    files[`/${f}`] = stripTypeScriptTypes(readFileSync(join(CODES_DIR, f), "utf8"));
  }
  const server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (body !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(body);
    } else if (req.url === "/") {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end("<!doctype html><title>bench</title>");
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Runs `fn` with this process (all its threads, so libuv's crypto pool too) pinned to CPU 0. */
async function pinnedToOneCore<T>(fn: () => Promise<T>): Promise<T> {
  const before = execFileSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" })
    .trim()
    .split(/\s+/)
    .pop()!;
  execFileSync("taskset", ["-a", "-p", "1", String(process.pid)], { stdio: "ignore" });
  try {
    return await fn();
  } finally {
    execFileSync("taskset", ["-a", "-p", before, String(process.pid)], { stdio: "ignore" });
  }
}

export async function benchCodeVerify(opts: {
  codes: number;
  batch: number;
  runs: number;
  seed: number;
}): Promise<CodeVerifyResult> {
  process.stderr.write(`signing ${opts.codes} codes (not timed) ...\n`);
  const input = await generateCodes(opts.codes, opts.seed);
  const server = await serveModules();
  // Chromium and every process it starts (renderer, GPU, network) inherit the one-core affinity.
  const dir = mkdtempSync(join(tmpdir(), "cordon-bench-chromium-"));
  const wrapper = join(dir, "chromium-one-core.sh");
  const executable = process.env.CORDON_CHROMIUM ?? "/usr/bin/chromium";
  writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c 0 ${executable} "$@"\n`);
  chmodSync(wrapper, 0o755);
  let chromiumResult: CodeVerifyResult["chromium"];
  const browser = await chromium.launch({
    executablePath: wrapper,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    process.stderr.write(`verifying in Chromium ${browser.version()} on one core ...\n`);
    const m = await page.evaluate(measure, {
      formatUrl: "/format.ts",
      verifyUrl: "/verify.ts",
      input,
      now: NOW,
      batch: opts.batch,
      runs: opts.runs,
    });
    chromiumResult = { ...m, version: browser.version() };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`verifying in Node ${process.version} on one core ...\n`);
  const n = await pinnedToOneCore(() =>
    measure({
      formatUrl: pathToFileURL(join(CODES_DIR, "format.ts")).href,
      verifyUrl: pathToFileURL(join(CODES_DIR, "verify.ts")).href,
      input,
      now: NOW,
      batch: opts.batch,
      runs: opts.runs,
    }),
  );
  const opensslSyncPerSecond = await pinnedToOneCore(async () => syncVerifyRate(input));
  return {
    opensslSyncPerSecond,
    codes: opts.codes,
    kids: input.keys.keys.length,
    revoked: input.expected.revoked,
    tampered: input.expected.badSignature,
    batch: opts.batch,
    runs: opts.runs,
    chromium: chromiumResult,
    node: { ...n, version: process.version },
  };
}

export function printCodeVerify(r: CodeVerifyResult): string {
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  const best = (xs: number[]) => Math.max(...xs);
  const row = (where: string, m: Measurement) =>
    `| ${where} | ≥ 10,000 codes/s | median ${f(m.verifierPerSecond)}, best ${f(best(m.verifierRuns))} codes/s (runs: ${m.verifierRuns.map(f).join(", ")}) | bare \`crypto.subtle.verify\` loop: median ${f(m.rawPerSecond)}, best ${f(best(m.rawRuns))}/s (runs: ${m.rawRuns.map(f).join(", ")}) | ${m.medianRatio.toFixed(2)} (median of run pairs) |`;
  return [
    `offline code verification: ${f(r.codes)} distinct codes, ${r.kids} keys (one retired), ${r.revoked} revoked, ${r.tampered} tampered; batches of ${r.batch}, median of ${r.runs} runs, one core (taskset -c 0)`,
    "",
    "| where | target | CodeVerifier.verifyMany (same module as /scan and /gate) | baseline (same run, same signatures) | ratio |",
    "|---|---|---|---|---|",
    row(`headless Chromium ${r.chromium.version}`, r.chromium),
    row(`Node ${r.node.version} (reference)`, r.node),
    "",
    `The machine's own Ed25519 speed on the same core: ${f(r.opensslSyncPerSecond)} synchronous OpenSSL verifies/s (node:crypto, no WebCrypto).`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      codes: { type: "string", default: "20000" },
      batch: { type: "string", default: "1000" },
      runs: { type: "string", default: "5" },
      seed: { type: "string", default: "7" },
    },
  });
  const r = await benchCodeVerify({
    codes: Number(values.codes),
    batch: Number(values.batch),
    runs: Number(values.runs),
    seed: Number(values.seed),
  });
  console.log(printCodeVerify(r));
  console.log(JSON.stringify(r));
}
