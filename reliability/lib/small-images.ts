// Small real images for uploads under load: JPEGs and PNGs of random noise made with sharp, each
// of different bytes (so that no upload reuses another's stored sizes and each is decoded anew).
import sharp from "sharp";
import type { Random } from "./random.ts";

/** `count` images of about 160×120, alternating JPEG and PNG. */
export async function smallImages(count: number, random: Random): Promise<Buffer[]> {
  const images: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const width = random.int(120, 200);
    const height = random.int(90, 150);
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(random.next() * 256);
    const picture = sharp(raw, { raw: { width, height, channels: 3 } });
    images.push(await (n % 2 === 0 ? picture.jpeg({ quality: 80 }) : picture.png()).toBuffer());
  }
  return images;
}
