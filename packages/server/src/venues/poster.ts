/**
 * The venue-code poster (场所码): one A4 page to print and put up at the door, with the venue's name,
 * address and a large QR code of `<origin>/checkin?venue=<id>`, which a phone's camera opens as the
 * check-in page. Chinese first, English under it.
 */
import QRCode from "qrcode";
import { CJK_FONT_PATH, cjkDocument, cjkFont } from "../files/pdf.ts";
import { AppError } from "../http/errors.ts";

export const checkinUrl = (origin: string, venueId: string) =>
  `${origin.replace(/\/+$/, "")}/checkin?venue=${venueId}`;

const fontMissing = (path: string) =>
  new AppError(503, "poster.font_missing", {
    zh: `服务器缺少中文字体 ${path}，无法生成场所码：请管理员安装 Debian 软件包 fonts-noto-cjk`,
    en: `The server lacks the Chinese font ${path}, so the poster cannot be made: an administrator must install the Debian package fonts-noto-cjk`,
  });

export interface PosterFacts {
  id: string;
  name: string;
  address: string;
  regionName: string;
}

export async function renderPoster(
  v: PosterFacts,
  url: string,
  printedAt: Date,
  fontPath = CJK_FONT_PATH,
): Promise<Buffer> {
  const font = cjkFont(fontPath, fontMissing);
  const qr = await QRCode.toBuffer(url, { type: "png", errorCorrectionLevel: "Q", margin: 2, scale: 12 });
  const { doc, done } = cjkDocument(font, {
    Title: `场所码 / Venue code: ${v.name}`,
    Subject: `Venue ${v.id}`,
    Keywords: `venue ${v.id}; checkin ${url}`,
    Creator: "Cordon",
    CreationDate: printedAt,
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.fontSize(34).fillColor("#0b6b3a").text("场所码", left, 60, { width, align: "center" });
  doc.fontSize(14).fillColor("#555").text("Venue code — scan to check in", { width, align: "center" });
  doc.moveDown(0.8);
  doc.fontSize(22).fillColor("#000").text(v.name, { width, align: "center" });
  doc.moveDown(0.3);
  doc.fontSize(12).fillColor("#333").text(`${v.regionName} ${v.address}`, { width, align: "center" });
  const qrSize = 320;
  const qrY = doc.y + 24;
  doc.image(qr, left + (width - qrSize) / 2, qrY, { width: qrSize, height: qrSize });
  doc.y = qrY + qrSize + 20;
  doc
    .fontSize(16)
    .fillColor("#000")
    .text("请用手机扫码登记，出示健康码，配合测温", left, doc.y, { width, align: "center" });
  doc
    .fontSize(11)
    .fillColor("#555")
    .text("Scan with your phone to check in, show your health code, and have your temperature taken", {
      width,
      align: "center",
    });
  doc.moveDown(1.5);
  doc.fontSize(9).fillColor("#555").text(url, { width, align: "center" });
  doc.text(`场所编号 Venue ID: ${v.id}`, { width, align: "center" });
  doc.text(
    `打印时间 Printed: ${new Date(printedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ")}（北京时间 / Beijing time）`,
    { width, align: "center" },
  );
  doc.end();
  return done;
}
