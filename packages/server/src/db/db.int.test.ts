import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "./db.ts";
import { freshDb, testEngines } from "../testing/test-db.ts";

// Both engines count rows as node-postgres does, so `rowCount` means the same whichever one runs.
for (const engine of testEngines()) {
  describe(`the database wrapper's row counts (${engine})`, () => {
    let db: Db;
    before(async () => {
      db = await freshDb(engine);
      await db.exec("CREATE TABLE row_counts (n int PRIMARY KEY, v text)");
    });
    after(() => db.close());

    test("an insert, update or delete counts the rows it changed; with RETURNING, the rows it returned", async () => {
      assert.equal(
        (await db.query("INSERT INTO row_counts SELECT g, 'a' FROM generate_series(1, 5) g")).rowCount,
        5,
      );
      assert.equal((await db.query("UPDATE row_counts SET v = 'b' WHERE n <= 3")).rowCount, 3);
      assert.equal((await db.query("UPDATE row_counts SET v = 'c' WHERE n > 99")).rowCount, 0);
      assert.equal((await db.query("DELETE FROM row_counts WHERE n = 5 RETURNING n")).rowCount, 1);
    });

    test("a SELECT counts the rows it returned (PGlite itself reports 0 affected rows)", async () => {
      assert.equal((await db.query("SELECT n FROM row_counts WHERE n <= 2")).rowCount, 2);
      assert.equal((await db.query("SELECT n FROM row_counts WHERE n > 99")).rowCount, 0);
    });
  });
}
