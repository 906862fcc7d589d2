// Turns an accepted upload into the four sizes production serves (WIRE-NOTES): each fits inside
// its box keeping the aspect ratio, EXIF orientation applied, metadata stripped, JPEG. sharp does
// the work; BMP and HEIC, which it cannot read, are decoded first by bmp-ts and heic-decode.
// The decoders are loaded on first use: they cost start-up time (heic-decode's WebAssembly above
// all) that a server which never sees an image should not pay.
import type { Sharp } from "sharp";
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { declaredSize, type ImageFormat, sniffImageFormat } from "./image-format.ts";
import { IMAGE_SIZES } from "./image-sizes.ts";

export const MAX_IMAGE_BYTES = 24 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 75_000_000;
const JPEG_QUALITY = 82;

export interface RenderedImage {
  width: number;
  height: number;
  /** Size name → JPEG bytes. */
  jpegs: Record<string, Buffer>;
}

function refused(reason: string): never {
  throw validationError({ "uploadfile[]": reason });
}

/** A sharp pipeline over the decoded image; only JPEG, PNG and GIF are read by sharp itself. */
async function open(bytes: Buffer, format: ImageFormat): Promise<Sharp> {
  const { default: sharp } = await import("sharp");
  switch (format) {
    case "jpeg":
    case "png":
    case "gif":
      return sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error" });
    case "bmp": {
      const { decode: decodeBmp } = await import("bmp-ts");
      const bmp = decodeBmp(bytes, { toRGBA: true });
      const rgba = Buffer.from(bmp.data);
      // Below 32 bits per pixel a BMP has no alpha: the decoder's fourth byte is 0 and means
      // nothing. The pixels are made opaque here; removeAlpha() would act only after flatten()
      // had turned them all white.
      if (bmp.bitPP < 32) {
        for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
      }
      return sharp(rgba, { raw: { width: bmp.width, height: bmp.height, channels: 4 } });
    }
    case "heic": {
      const { default: decodeHeic } = await import("heic-decode");
      const heic = await decodeHeic({ buffer: bytes });
      return sharp(Buffer.from(heic.data.buffer), {
        raw: { width: heic.width, height: heic.height, channels: 4 },
      });
    }
  }
}

export async function renderImage(bytes: Buffer): Promise<RenderedImage> {
  const format = sniffImageFormat(bytes);
  if (!format) refused("is not a JPEG, PNG, GIF, BMP or HEIC image");
  const size = declaredSize(bytes);
  if (!size) refused(`has a ${format.toUpperCase()} header that cannot be read`);
  const pixels = size.width * size.height;
  if (pixels > MAX_IMAGE_PIXELS) {
    refused(
      `is ${size.width}x${size.height} (${(pixels / 1e6).toFixed(1)} megapixels); at most ${MAX_IMAGE_PIXELS / 1e6} are accepted`,
    );
  }
  try {
    const { default: sharp } = await import("sharp");
    const image = await open(bytes, format);
    // Decode once, to the largest box; the smaller sizes are made from that.
    const largest = await image
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
    await Promise.all(
      IMAGE_SIZES.map(async (box) => {
        jpegs[box.name] = await sharp(largest.data, { raw })
          .resize({ width: box.width, height: box.height, fit: "inside", withoutEnlargement: true })
          .jpeg({ quality: JPEG_QUALITY })
          .toBuffer();
      }),
    );
    return { width: size.width, height: size.height, jpegs };
  } catch (error) {
    if (error instanceof BesedaError) throw error;
    refused(`cannot be decoded as ${format.toUpperCase()}: ${(error as Error).message}`);
  }
}
