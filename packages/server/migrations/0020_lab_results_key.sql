-- A lab result's key is its tube and fingerprint (0014 kept them unique already) instead of (barcode, id):
-- one index fewer for every result stored. A city's round stores 1.9 million results in one file, and
-- each of the table's three full indexes (all leading with the barcode) cost about a quarter of that
-- INSERT (docs/benchmarks.md). Nothing looks a result up by its id alone (a case candidate names its
-- result by barcode and id, which the barcode leads to). `id` stays, unique in practice (UUIDv7).
--
-- Distribution (docs/scale-out.md): unchanged — distributed by barcode, which leads the key.

ALTER TABLE nat_lab_results
  DROP CONSTRAINT nat_lab_results_pkey,
  DROP CONSTRAINT nat_lab_results_barcode_fingerprint_key,
  ADD PRIMARY KEY (barcode, fingerprint);
