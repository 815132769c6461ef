/**
 * One-page PDFs set in Noto Sans CJK (Debian's fonts-noto-cjk): the release certificate and the venue
 * poster. The font is read once per path; without it the document cannot be made, and the caller's
 * bilingual 503 says so.
 */
import { existsSync, readFileSync } from "node:fs";
import PDFDocument from "pdfkit";
import type { AppError } from "../http/errors.ts";

/** Debian's fonts-noto-cjk: a collection; the Simplified Chinese face is picked by its PostScript name. */
export const CJK_FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
export const CJK_FONT_NAME = "NotoSansCJKsc-Regular";

let fontCache: { path: string; bytes: Buffer } | null = null;

/** The font's bytes, or `missing(path)` thrown when the file is not there. */
export function cjkFont(path: string, missing: (path: string) => AppError): Buffer {
  if (fontCache?.path === path) return fontCache.bytes;
  if (!existsSync(path)) throw missing(path);
  fontCache = { path, bytes: readFileSync(path) };
  return fontCache.bytes;
}

/**
 * An A4 document with 56 pt margins and the CJK font selected, and the promise of its bytes once
 * `doc.end()` is called.
 */
export function cjkDocument(
  font: Buffer,
  info: PDFKit.DocumentInfo,
): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument({ size: "A4", margin: 56, info });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("cjk", font, CJK_FONT_NAME);
  doc.font("cjk");
  return { doc, done };
}
