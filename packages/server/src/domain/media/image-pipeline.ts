// Turns an accepted upload into the four sizes production serves (WIRE-NOTES): each fits inside
// its box keeping the aspect ratio, EXIF orientation applied, metadata stripped, JPEG. Runs in an
// image worker (image-workers.ts), never on the thread that serves requests. First the header is
// inspected and the decode's memory checked against the budget (decode-budget.ts); then sharp
// does the work, each decoder held to the budget by its own numbers: sharp's limitInputPixels,
// the BMP header bmp-ts allocates from, the size libheif reads before it decodes. BMP and HEIC,
// which sharp cannot read, are decoded first by bmp-ts and heic-decode, loaded on first use.
import sharp, { type Sharp } from "sharp";
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { decodePeakBytes, decodeRefusal, maxPixelsWithin } from "./decode-budget.ts";
import { type DeclaredImage, declaredImage, sniffImageFormat } from "./image-format.ts";
import { IMAGE_SIZES } from "./image-sizes.ts";

const JPEG_QUALITY = 82;

export interface RenderedImage {
  width: number;
  height: number;
  /** Size name → JPEG bytes. */
  jpegs: Record<string, Buffer>;
}

export interface InspectedImage extends DeclaredImage {
  /** What decoding it takes at the peak, in bytes. */
  peakBytes: number;
}

function refused(reason: string): never {
  throw validationError({ "uploadfile[]": reason });
}

/**
 * The image's format, declared size and decoding cost, read from `head`, the first bytes of a
 * file of `fileBytes`; a 400 naming uploadfile[] if it may not be decoded. "truncated" when the
 * header goes on past `head`: the caller asks again with the whole file.
 */
export function inspectImage(
  head: Buffer,
  fileBytes: number,
  memoryBytes: number,
): InspectedImage | "truncated" {
  const format = sniffImageFormat(head);
  if (!format) refused("is not a JPEG, PNG, GIF, BMP or HEIC image");
  const image = declaredImage(head, format);
  if (image === "truncated" && head.byteLength < fileBytes) return "truncated";
  if (typeof image === "string") {
    refused(`has a ${format.toUpperCase()} header that cannot be read`);
  }
  const refusal = decodeRefusal(image, fileBytes, memoryBytes);
  if (refusal) refused(refusal);
  return { ...image, peakBytes: decodePeakBytes(image, fileBytes) };
}

/** A sharp pipeline over the decoded image; only JPEG, PNG and GIF are read by sharp itself. */
async function open(bytes: Buffer, image: DeclaredImage, memoryBytes: number): Promise<Sharp> {
  switch (image.format) {
    case "jpeg":
    case "png":
    case "gif":
      return sharp(bytes, {
        limitInputPixels: maxPixelsWithin(image, bytes.byteLength, memoryBytes),
        failOn: "error",
      });
    case "bmp": {
      // The header was checked on the fields bmp-ts reads (image-format.ts: bmpHeader).
      const { decode: decodeBmp } = await import("bmp-ts");
      const bmp = decodeBmp(bytes, { toRGBA: true });
      const rgba = bmp.data;
      // Below 32 bits per pixel a BMP has no alpha: the decoder's fourth byte is 0 and means
      // nothing. The pixels are made opaque here, in place; removeAlpha() would act only after
      // flatten() had turned them all white.
      if (bmp.bitPP < 32) {
        for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
      }
      return sharp(rgba, { raw: { width: bmp.width, height: bmp.height, channels: 4 } });
    }
    case "heic": {
      const { default: decodeHeic } = await import("heic-decode");
      const images = await decodeHeic.all({ buffer: bytes });
      try {
        const first = images[0];
        if (!first) refused("is a HEIC file without an image");
        // libheif's own reading of the size, which is what it allocates for, checked again.
        const refusal = decodeRefusal(
          { ...image, width: first.width, height: first.height },
          bytes.byteLength,
          memoryBytes,
        );
        if (refusal) refused(refusal);
        const heic = await first.decode();
        return sharp(Buffer.from(heic.data.buffer, heic.data.byteOffset, heic.data.byteLength), {
          raw: { width: heic.width, height: heic.height, channels: 4 },
        });
      } finally {
        images.dispose();
      }
    }
  }
}

/** The four sizes of an image that inspectImage accepted. */
export async function renderImage(
  bytes: Buffer,
  image: DeclaredImage,
  memoryBytes: number,
): Promise<RenderedImage> {
  try {
    const decoded = await open(bytes, image, memoryBytes);
    // Decode once, to the largest box; the smaller sizes are made from that.
    const largest = await decoded
      .rotate()
      .flatten({ background: "#ffffff" })
      .resize({ width: 1280, height: 960, fit: "inside", withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = {
      width: largest.info.width,
      height: largest.info.height,
      channels: largest.info.channels,
    };
    const jpegs: Record<string, Buffer> = {};
    // One after the other: at once, the four ran on four of libuv's threads, each of which then
    // kept a glibc arena of its own, of 8-20 MB, and on two cores they were done no sooner (the
    // media-upload bench's peak RSS: 293-351 MB at once, 261-296 MB one after the other).
    for (const box of IMAGE_SIZES) {
      jpegs[box.name] = await sharp(largest.data, { raw })
        .resize({ width: box.width, height: box.height, fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer();
    }
    return { width: image.width, height: image.height, jpegs };
  } catch (error) {
    if (error instanceof BesedaError) throw error;
    refused(`cannot be decoded as ${image.format.toUpperCase()}: ${(error as Error).message}`);
  }
}
