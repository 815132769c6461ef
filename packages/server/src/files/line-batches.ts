/**
 * A file's lines for the bulk imports, a batch at a time. A city's sampling file has 10 million lines:
 * taken one by one from an async iterator, each line costs a promise and a turn of the event loop, which
 * was a fifth of the import's own work (docs/benchmarks.md). In batches, the lines of a batch are read
 * in a plain loop.
 */
import { StringDecoder } from "node:string_decoder";

/** Lines, or batches of lines: an array (a request's body split), a stream's batches, or lines one by one. */
export type LineSource = Iterable<string> | AsyncIterable<string | readonly string[]>;

/** The source's lines in batches (of `size` for an array; as they come for an async source). */
export async function* lineBatches(source: LineSource, size = 8192): AsyncGenerator<readonly string[]> {
  if (Symbol.iterator in source) {
    let batch: string[] = [];
    for (const line of source) {
      batch.push(line);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    return;
  }
  for await (const x of source) yield typeof x === "string" ? [x] : x;
}

/**
 * The lines of a byte stream (UTF-8; a line break is LF, a CR before it is left to the reader), one
 * batch per chunk read. The last line needs no line break.
 */
export async function* streamLineBatches(
  stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of stream) {
    const lines = (rest + (typeof chunk === "string" ? chunk : decoder.write(chunk))).split("\n");
    rest = lines.pop()!;
    if (lines.length) yield lines;
  }
  rest += decoder.end();
  if (rest) yield [rest];
}
