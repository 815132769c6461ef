import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readAssistFile } from "./assist-file.ts";

const rows = async (text: string) => (await readAssistFile(Buffer.from(text))).rows.map((r) => r.row);

describe("reading a list file", () => {
  test("rows are numbered as a spreadsheet shows them: header 1, blank lines counted, a multi-line cell starts its row", async () => {
    assert.deepEqual(
      await rows('姓名,手机号\n张三,13800000000\n\n"李\n四",13900000000\n王五,1\n'),
      [2, 4, 6],
    );
    assert.deepEqual(
      await rows('\uFEFF姓名,手机号\r\n张三,13800000000\r\n\r\n"李\r\n四",13900000000\r\n王五,1\r\n'),
      [2, 4, 6],
    );
  });

  test("a tab- or semicolon-separated file is read by its header's separator", async () => {
    const s = await readAssistFile(Buffer.from("姓名\t手机号\n张三\t13800000000\n"));
    assert.deepEqual(s.rows[0]!.cells, ["张三", "13800000000"]);
    const t = await readAssistFile(Buffer.from("姓名;手机号\n张三;13800000000\n"));
    assert.deepEqual(t.rows[0]!.cells, ["张三", "13800000000"]);
  });

  test("an old Excel 97-2003 file is refused with a way out", async () => {
    await assert.rejects(
      readAssistFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
      (e: { status: number; msg: { zh: string } }) => e.status === 422 && e.msg.zh.includes(".xlsx"),
    );
  });

  test("a ZIP that is not a workbook is refused", async () => {
    await assert.rejects(
      readAssistFile(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)])),
      (e: { status: number }) => e.status === 422,
    );
  });
});
