/**
 * Test helper: the first image of a PDF made by pdfkit, decoded to RGBA pixels, so a test can read the
 * QR code printed on it (release certificates, venue posters). pdfkit stores PNGs as Flate streams,
 * with or without PNG predictors; an alpha mask (SMask, no ColorSpace) is skipped.
 */
import { inflateSync } from "node:zlib";
import type { PDFNumber } from "pdf-lib";
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFRawStream } from "pdf-lib";

/** The first image of the PDF, decoded to RGBA pixels (pdfkit stores PNGs as Flate, with or without PNG predictors). */
export function firstPdfImage(pdf: PDFDocument): { data: Uint8ClampedArray; width: number; height: number } {
  for (const [, obj] of pdf.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const dict = obj.dict;
    if (dict.get(PDFName.of("Subtype")) !== PDFName.of("Image")) continue;
    if (dict.get(PDFName.of("SMask")) === undefined && dict.get(PDFName.of("ColorSpace")) === undefined)
      continue;
    const num = (k: string, d: PDFDict = dict) => (d.get(PDFName.of(k)) as PDFNumber).asNumber();
    const width = num("Width");
    const height = num("Height");
    const cs = dict.get(PDFName.of("ColorSpace"));
    if (cs === undefined) continue; // an alpha mask (SMask) itself
    const colors = cs === PDFName.of("DeviceGray") ? 1 : 3;
    let raw = inflateSync(obj.contents);
    let parms = dict.get(PDFName.of("DecodeParms"));
    if (parms instanceof PDFArray) parms = parms.get(0);
    if (parms instanceof PDFDict && num("Predictor", parms) >= 10) {
      // PNG predictors: each row starts with its filter byte.
      const stride = width * colors;
      const out = Buffer.alloc(stride * height);
      for (let y = 0; y < height; y++) {
        const f = raw[y * (stride + 1)]!;
        for (let x = 0; x < stride; x++) {
          const v = raw[y * (stride + 1) + 1 + x]!;
          const a = x >= colors ? out[y * stride + x - colors]! : 0;
          const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
          const c = x >= colors && y > 0 ? out[(y - 1) * stride + x - colors]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          out[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][f]!) & 0xff;
        }
      }
      raw = out;
    }
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] =
        colors === 1 ? [raw[i]!, raw[i]!, raw[i]!] : [raw[i * 3]!, raw[i * 3 + 1]!, raw[i * 3 + 2]!];
      data.set([r, g, b, 255], i * 4);
    }
    return { data, width, height };
  }
  throw new Error("no image in the PDF");
}
