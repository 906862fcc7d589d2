// Images and voice files: their metadata. The bytes live in the blob store.
import type { Insertable, Selectable } from "kysely";
import { type Image, num, type Voice } from "../records.ts";
import type { ImageTable, VoiceTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toImage(row: Selectable<ImageTable>): Image {
  return {
    id: row.id,
    ownerId: num(row.owner_id),
    sourceHash: row.source_hash,
    width: row.width,
    height: row.height,
    blobs: JSON.parse(row.blobs) as Record<string, string>,
    created: num(row.created),
  };
}

function toVoice(row: Selectable<VoiceTable>): Voice {
  return {
    id: row.id,
    blobKey: row.blob_key,
    sizeBytes: num(row.size_bytes),
    durationMs: row.duration_ms,
    created: num(row.created),
  };
}

/** The row of an image: the inverse of toImage, for single and bulk inserts alike. */
export function imageRow(image: Image): Insertable<ImageTable> {
  return {
    id: image.id,
    owner_id: image.ownerId,
    source_hash: image.sourceHash,
    width: image.width,
    height: image.height,
    blobs: JSON.stringify(image.blobs),
    created: image.created,
  };
}

export async function insertImage(db: Db, image: Image): Promise<void> {
  await db.insertInto("image").values(imageRow(image)).execute();
}

export async function findImage(db: Db, id: string): Promise<Image | undefined> {
  const row = await db.selectFrom("image").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toImage(row);
}

/** Any earlier upload of the same bytes: its resized blobs can be reused. */
export async function findImageBySource(db: Db, sourceHash: string): Promise<Image | undefined> {
  const row = await db
    .selectFrom("image")
    .selectAll()
    .where("source_hash", "=", sourceHash)
    .executeTakeFirst();
  return row && toImage(row);
}

/** The row of a voice file: the inverse of toVoice. */
export function voiceRow(voice: Voice): Insertable<VoiceTable> {
  return {
    id: voice.id,
    blob_key: voice.blobKey,
    size_bytes: voice.sizeBytes,
    duration_ms: voice.durationMs,
    created: voice.created,
  };
}

export async function insertVoice(db: Db, voice: Voice): Promise<void> {
  await db.insertInto("voice").values(voiceRow(voice)).execute();
}

export async function findVoice(db: Db, id: string): Promise<Voice | undefined> {
  const row = await db.selectFrom("voice").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toVoice(row);
}

/** Of `ids`, those of stored voice files. */
export async function findVoiceIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("voice").select("id").where("id", "in", ids).execute();
  return rows.map((row) => row.id);
}

/** Every image, by id: the sandbox's export. */
export async function allImages(db: Db): Promise<Image[]> {
  const rows = await db.selectFrom("image").selectAll().orderBy("id").execute();
  return rows.map(toImage);
}

/** Every voice file, by id: the sandbox's export. */
export async function allVoices(db: Db): Promise<Voice[]> {
  const rows = await db.selectFrom("voice").selectAll().orderBy("id").execute();
  return rows.map(toVoice);
}
