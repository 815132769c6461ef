/**
 * The baseline of bench/checkin.ts: a bare Node HTTP server answering the gate upload the way the API
 * does at its edge — reads the body, parses the JSON, answers `{ accepted, duplicate }` — with no
 * framework, no validation, no authentication and no database. Listens on PORT (127.0.0.1).
 */
import { createServer } from "node:http";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let accepted: number;
    try {
      accepted = (JSON.parse(Buffer.concat(chunks).toString()) as { scans: unknown[] }).scans.length;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = JSON.stringify({ accepted, duplicate: false });
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("bare server up"));
