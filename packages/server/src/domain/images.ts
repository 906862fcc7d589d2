// Images: uploadImages (and its sandbox twin for the other side), the URLs of an image's sizes,
// and what the media routes serve. Each upload gets its own id; the same bytes again reuse the
// stored sizes instead of resizing anew.
import { BesedaError } from "../errors/beseda-error.ts";
import type { Image } from "../store/records.ts";
import { findImage, findImageBySource, insertImage } from "../store/repositories/media.ts";
import type { Db } from "../store/store.ts";
import { requireAccount } from "./accounts.ts";
import type { DomainContext } from "./context.ts";
import { newImageId } from "./ids.ts";
import { IMAGE_SIZE_NAMES } from "./media/image-sizes.ts";
import { uploadBlocks } from "./media/upload-blocks.ts";
import type { UploadedFile } from "./media/uploaded-file.ts";
import { imageSizeUrls } from "./public-urls.ts";

/** Production's limit on an upload (WIRE-NOTES: at most 24 MB). */
export const MAX_IMAGE_BYTES = 24 * 1024 * 1024;

/**
 * Stores an upload of `ownerId`; answers as uploadImages does: {"<image_id>": {size: url}}. The
 * image is decoded by the image workers (ctx.media.images), which take the file's bytes.
 */
export async function uploadImage(
  ctx: DomainContext,
  ownerId: number,
  file: UploadedFile,
): Promise<Record<string, Record<string, string>>> {
  await requireAccount(ctx.store.db, ownerId);
  const sourceHash = file.sha256;
  const earlier = await findImageBySource(ctx.store.db, sourceHash);
  let stored: Pick<Image, "width" | "height" | "blobs">;
  if (earlier) {
    stored = { width: earlier.width, height: earlier.height, blobs: earlier.blobs };
    uploadBlocks.giveBack(file.blocks);
  } else {
    const rendered = await ctx.media.images.render(file);
    const blobs: Record<string, string> = {};
    for (const [size, jpeg] of Object.entries(rendered.jpegs)) {
      blobs[size] = await ctx.media.blobs.put(jpeg);
    }
    stored = { width: rendered.width, height: rendered.height, blobs };
  }
  const image: Image = {
    id: newImageId(ctx.random),
    ownerId,
    sourceHash,
    ...stored,
    created: ctx.clock.now(),
  };
  await insertImage(ctx.store.db, image);
  return { [image.id]: imageSizeUrls(ctx.urls, image.id) };
}

/** An image `authorId` uploaded; anything else, someone else's included, is refused alike. */
export async function requireOwnImage(
  db: Db,
  authorId: number,
  imageId: string,
  field = "image_id",
): Promise<Image> {
  const image = await findImage(db, imageId);
  if (!image || image.ownerId !== authorId) {
    throw new BesedaError("image_not_found", {
      fields: { [field]: "no image with this id was uploaded by this account" },
    });
  }
  return image;
}

/** The stored JPEG of one size of an image, for the media route. */
export async function imageFile(
  ctx: DomainContext,
  imageId: string,
  size: string,
): Promise<{ key: string; bytes: number }> {
  // The size comes from the URL: only the names of sizes, never what a plain object inherits.
  if (!IMAGE_SIZE_NAMES.includes(size)) throw new BesedaError("not_found");
  const image = await findImage(ctx.store.db, imageId);
  const key = image && Object.hasOwn(image.blobs, size) ? image.blobs[size] : undefined;
  const bytes = key === undefined ? null : await ctx.media.blobs.size(key);
  if (!key || bytes === null) throw new BesedaError("not_found");
  return { key, bytes };
}
