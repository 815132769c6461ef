import assert from "node:assert/strict";
import { test } from "node:test";
import { lineBatches, streamLineBatches } from "./line-batches.ts";

async function all<T>(it: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

test("a stream's lines: a character split between chunks, CRLF left to the reader, the last line without a break", async () => {
  const bytes = Buffer.from("条码,结果\r\nP-0001,阴性\nP-0002,阳性", "utf8");
  // Cut inside the multi-byte character 码 and inside a line.
  const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 17), bytes.subarray(17)];
  assert.deepEqual(await all(streamLineBatches(chunks)), ["条码,结果\r", "P-0001,阴性", "P-0002,阳性"]);
});

test("a stream ending with a line break has no empty last line; an empty stream has no lines", async () => {
  assert.deepEqual(await all(streamLineBatches([Buffer.from("a\nb\n")])), ["a", "b"]);
  assert.deepEqual(await all(streamLineBatches([])), []);
});

test("an array's lines come in batches of the size asked, in order; single async lines pass through", async () => {
  const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
  const batches: (readonly string[])[] = [];
  for await (const b of lineBatches(lines, 4)) batches.push(b);
  assert.deepEqual(
    batches.map((b) => b.length),
    [4, 4, 2],
  );
  assert.deepEqual(batches.flat(), lines);
  async function* one() {
    yield "x";
    yield ["y", "z"];
  }
  assert.deepEqual(await all(lineBatches(one())), ["x", "y", "z"]);
});
