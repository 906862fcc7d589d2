// Voice files: stored through the sandbox (Opus in MP4 only), carried by voice messages, and
// reached through getVoiceFiles (or the sandbox's own GET /voices) as signed links that work for
// one hour of the sandbox clock.
import { BesedaError } from "../errors/beseda-error.ts";
import { findVoice, findVoiceIds, insertVoice } from "../store/repositories/media.ts";
import { attachmentsVisibleTo } from "../store/repositories/messages.ts";
import type { Db } from "../store/store.ts";
import type { DomainContext } from "./context.ts";
import { newVoiceId } from "./ids.ts";
import { inspectMp4Audio } from "./media/mp4-audio.ts";
import { joinedBytes, type UploadedFile } from "./media/uploaded-file.ts";
import { signature, signatureMatches } from "./media/url-signer.ts";

export const MAX_VOICE_BYTES = 10 * 1024 * 1024;
/** Production's voice links work for one hour (the document's getVoiceFiles). */
export const VOICE_LINK_SECONDS = 3600;

function voicePath(voiceId: string): string {
  return `/media/voices/${voiceId}.mp4`;
}

/** Sandbox: stores a voice file after checking it is Opus in MP4. */
export async function storeVoice(
  ctx: DomainContext,
  file: UploadedFile,
): Promise<{ voice_id: string }> {
  // At most 10 MB, and usually a few KB: joined here rather than in a worker.
  const bytes = joinedBytes(file);
  const audio = inspectMp4Audio(bytes);
  const blobKey = await ctx.media.blobs.put(bytes, file.sha256);
  const id = newVoiceId(ctx.random);
  await insertVoice(ctx.store.db, {
    id,
    blobKey,
    sizeBytes: bytes.byteLength,
    durationMs: audio.durationMs,
    created: ctx.clock.now(),
  });
  return { voice_id: id };
}

export async function requireVoice(db: Db, voiceId: string): Promise<void> {
  if (!(await findVoice(db, voiceId))) {
    throw new BesedaError("voice_not_found", {
      fields: { "content.voice.voice_id": "no voice file with this id was stored" },
    });
  }
}

/**
 * getVoiceFiles: a signed link for each voice id that a voice message carries in a chat of
 * `userId`. Other ids (unknown, or in other people's chats) are left out of the map.
 */
export async function voiceFileUrls(
  ctx: DomainContext,
  userId: number,
  voiceIds: readonly string[],
): Promise<{ voices_urls: Record<string, string> }> {
  const visible = await attachmentsVisibleTo(ctx.store.db, userId, "voice", [...new Set(voiceIds)]);
  return { voices_urls: signedLinks(ctx, voiceIds, visible) };
}

/**
 * Sandbox: the same signed links, for any stored voice file whoever's chats carry it (the
 * console plays both sides' voice messages). Unknown ids are left out of the map, as
 * getVoiceFiles leaves them.
 */
export async function sandboxVoiceFileUrls(
  ctx: DomainContext,
  voiceIds: readonly string[],
): Promise<{ voices_urls: Record<string, string> }> {
  const stored = await findVoiceIds(ctx.store.db, [...new Set(voiceIds)]);
  return { voices_urls: signedLinks(ctx, voiceIds, stored) };
}

/** A link for each of `voiceIds` that `allowed` holds, good for an hour from now. */
function signedLinks(
  ctx: DomainContext,
  voiceIds: readonly string[],
  allowed: readonly string[],
): Record<string, string> {
  const expires = ctx.clock.now() + VOICE_LINK_SECONDS;
  const urls: Record<string, string> = {};
  for (const id of voiceIds.filter((v) => allowed.includes(v))) {
    const path = voicePath(id);
    urls[id] =
      `${ctx.urls.base}${path}?expires=${expires}&signature=${signature(ctx.media.signingKey, path, expires)}`;
  }
  return urls;
}

/** The stored file behind a signed link; a bad signature or a link past its hour is refused. */
export async function voiceFile(
  ctx: DomainContext,
  voiceId: string,
  expires: number,
  given: string,
): Promise<{ key: string; bytes: number; expires: number }> {
  if (!signatureMatches(ctx.media.signingKey, voicePath(voiceId), expires, given)) {
    throw new BesedaError("link_invalid");
  }
  if (ctx.clock.now() >= expires) throw new BesedaError("link_expired");
  const voice = await findVoice(ctx.store.db, voiceId);
  if (!voice) throw new BesedaError("not_found");
  return { key: voice.blobKey, bytes: voice.sizeBytes, expires };
}
