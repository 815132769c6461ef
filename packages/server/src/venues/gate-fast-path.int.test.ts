/**
 * The listening server answers gate uploads in a fast path before the framework (gate-fast-path.ts);
 * in-process requests (inject) and URLs with a query string reach the framework's route. Both must
 * answer alike: every case here is sent both ways and the answers compared, status, body and headers.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { testEngines } from "../testing/test-db.ts";

const COMMUNITY = "640104001002";

interface Answer {
  status: number;
  type: string | undefined;
  retryAfter: string | undefined;
  body: unknown;
}

for (const engine of testEngines()) {
  describe(`gate uploads answered alike by the fast path and the framework's route (${engine})`, () => {
    let t: TestApp;
    let url: string;
    const clock = new Date("2026-05-02T09:30:00+08:00");
    const tokens: string[] = [];
    const refs: string[] = [];
    let seq = 0;

    type Req = { body: string; headers: Record<string, string> };
    const req = (body: unknown, opts: { token?: string | null; lang?: string; type?: string } = {}): Req => {
      const headers: Record<string, string> = { "content-type": opts.type ?? "application/json" };
      const token = opts.token === undefined ? tokens[0]! : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.lang) headers["accept-language"] = opts.lang;
      return { body: typeof body === "string" ? body : JSON.stringify(body), headers };
    };
    const viaFastPath = async (r: Req, path = "/api/checkin/gate"): Promise<Answer> => {
      const res = await fetch(`${url}${path}`, { method: "POST", headers: r.headers, body: r.body });
      const text = await res.text();
      return {
        status: res.status,
        type: res.headers.get("content-type") ?? undefined,
        retryAfter: res.headers.get("retry-after") ?? undefined,
        body: JSON.parse(text),
      };
    };
    const viaRoute = async (r: Req): Promise<Answer> => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/checkin/gate",
        headers: r.headers,
        payload: r.body,
      });
      return {
        status: res.statusCode,
        type: res.headers["content-type"] as string | undefined,
        retryAfter: res.headers["retry-after"] as string | undefined,
        body: res.json(),
      };
    };
    /** The same request both ways: the two answers, which must be equal. */
    const both = async (make: () => Req): Promise<Answer> => {
      const fast = await viaFastPath(make());
      const route = await viaRoute(make());
      assert.deepEqual(fast, route);
      return fast;
    };
    const scan = (over: Record<string, unknown> = {}) => ({
      ref: refs[0],
      colour: "green",
      vaccination: 3,
      temperature: 36.5,
      at: clock.toISOString(),
      decision: "admit",
      ...over,
    });
    const upload = (s: number, over: Record<string, unknown> = {}) => ({
      seq: s,
      deviceTime: clock.toISOString(),
      scans: [scan(over)],
    });

    before(async () => {
      t = await testApp(engine, () => clock);
      const admin = await t.userSession("administrator", "000000");
      const manager = await t.userSession("venue", "640104");
      const person = await t.call(admin, "POST", "/api/people", personPayload(COMMUNITY, 801));
      assert.equal(person.status, 201, JSON.stringify(person.json()));
      refs.push(randomBytes(16).toString("hex"));
      await t.db.query(
        `INSERT INTO health_codes (person_id, ref, colour, since, reasons, computed_at)
         VALUES ($1, decode($2, 'hex'), 'green', $3, '[]', $3)`,
        [person.json().id, refs[0], clock],
      );
      const venue = await t.call(manager, "POST", "/api/venues", {
        name: "光明菜市场",
        kind: "market",
        regionCode: COMMUNITY,
        address: "光明路8号",
      });
      assert.equal(venue.status, 201, JSON.stringify(venue.json()));
      for (const name of ["北门闸机", "南门闸机"]) {
        const d = await t.call(manager, "POST", `/api/venues/${venue.json().id}/devices`, { name });
        assert.equal(d.status, 201, JSON.stringify(d.json()));
        tokens.push(d.json().token);
      }
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    test("an upload is stored either way after its commit, and the same upload again is a duplicate", async () => {
      const a = ++seq;
      const b = ++seq;
      const first = await viaFastPath(req(upload(a)));
      assert.deepEqual(first, await viaRoute(req(upload(b))));
      assert.deepEqual(first.body, { accepted: 1, duplicate: false });
      assert.equal(first.type, "application/json; charset=utf-8");
      const again = await viaFastPath(req(upload(a)));
      assert.deepEqual(again, await viaRoute(req(upload(b))));
      assert.deepEqual(again.body, { accepted: 1, duplicate: true });
      const stored = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM venue_scans");
      assert.equal(stored.rows[0]!.n, 2);
      // A seq reused with other content is refused by both.
      const reused = await both(() => req(upload(a, { temperature: 38.2 })));
      assert.equal(reused.status, 409);
    });

    test("a missing or forged token is refused alike, in Chinese and in English", async () => {
      const missing = await both(() => req(upload(++seq), { token: null }));
      assert.equal(missing.status, 401);
      assert.deepEqual((missing.body as { error: { code: string } }).error.code, "device.token_missing");
      const forged = await both(() =>
        req(upload(++seq), { token: `${tokens[0]!.slice(0, -4)}AAAA`, lang: "en" }),
      );
      assert.equal(forged.status, 401);
      assert.match((forged.body as { error: { message: string } }).error.message, /not valid/);
    });

    test("bad bodies are refused alike: not JSON, empty, the wrong type, the wrong shape, the wrong content, too large", async () => {
      const cases: [string, () => Req, number, string][] = [
        ["malformed JSON", () => req('{"seq": 1,'), 400, "malformed_json"],
        ["an empty body", () => req(""), 400, "malformed_json"],
        ["text, not JSON", () => req("seq=1", { type: "text/plain" }), 415, "unsupported_media_type"],
        [
          "no scans, a negative seq",
          () => req({ seq: -1, deviceTime: clock.toISOString(), scans: [] }),
          400,
          "validation_failed",
        ],
        ["an unknown field", () => req({ ...upload(++seq), extra: 1 }), 400, "validation_failed"],
        [
          "a scan an hour ahead",
          () => req(upload(++seq, { at: new Date(clock.getTime() + 3_600_000).toISOString() })),
          422,
          "validation_failed",
        ],
        [
          "2 MiB",
          () => req({ ...upload(++seq), pad: "x".repeat(2 * 1024 * 1024) }),
          413,
          "payload_too_large",
        ],
      ];
      for (const [name, make, status, code] of cases) {
        const a = await both(make);
        assert.equal(a.status, status, `${name}: ${JSON.stringify(a.body)}`);
        assert.equal((a.body as { error: { code: string } }).error.code, code, name);
      }
      const fields = await both(() => req({ seq: -1, deviceTime: "yesterday", scans: [] }, { lang: "en" }));
      assert.deepEqual(
        (fields.body as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field),
        ["seq", "deviceTime", "scans"],
      );
    });

    test("a device over its rate is told to wait by both, with Retry-After", async () => {
      const over = () => req(upload(++seq), { token: tokens[1]! });
      let a: Answer;
      do a = await viaFastPath(over());
      while (a.status === 200);
      assert.equal(a.status, 429);
      assert.equal(a.retryAfter, "1");
      const route = await viaRoute(over());
      assert.deepEqual({ ...route, body: null }, { ...a, body: null });
      assert.deepEqual(route.body, a.body);
    });

    test("a URL with a query string reaches the framework's route, which answers the same", async () => {
      const r = req(upload(++seq), { token: tokens[0]! });
      const viaQuery = await viaFastPath(r, "/api/checkin/gate?lang=en");
      assert.deepEqual(viaQuery.body, { accepted: 1, duplicate: false });
    });
  });
}
