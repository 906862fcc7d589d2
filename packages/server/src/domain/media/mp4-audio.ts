// Tells from the bytes whether a voice file is what production serves: Opus audio in an MP4
// (ISO-BMFF) container. Walks the boxes ftyp → moov → trak → mdia → (hdlr, mdhd, minf → stbl →
// stsd) and reads the sample entry's four-character code; nothing is decoded.
import { validationError } from "../../errors/beseda-error.ts";

interface Box {
  type: string;
  /** Where the payload starts and ends. */
  start: number;
  end: number;
}

function boxes(bytes: Buffer, start: number, end: number): Box[] {
  const found: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(bytes.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) break;
    found.push({ type, start: at + header, end: at + size });
    at += size;
  }
  return found;
}

function child(bytes: Buffer, parent: Box, type: string): Box | undefined {
  return boxes(bytes, parent.start, parent.end).find((b) => b.type === type);
}

function path(bytes: Buffer, from: Box, types: readonly string[]): Box | undefined {
  let at: Box | undefined = from;
  for (const type of types) at = at && child(bytes, at, type);
  return at;
}

export interface Mp4Audio {
  codec: string;
  durationMs: number;
}

function refused(reason: string): never {
  throw validationError({ file: reason });
}

/** The audio track's codec and duration; throws a 400 naming what is wrong otherwise. */
export function inspectMp4Audio(bytes: Buffer): Mp4Audio {
  const top = boxes(bytes, 0, bytes.length);
  if (top[0]?.type !== "ftyp")
    refused("is not an MP4 container (it does not start with an ftyp box)");
  const moov = top.find((b) => b.type === "moov");
  if (!moov) refused("is an MP4 without a movie header (moov box)");
  if (!top.some((b) => b.type === "mdat")) refused("is an MP4 without media data (mdat box)");
  for (const trak of boxes(bytes, moov.start, moov.end).filter((b) => b.type === "trak")) {
    const mdia = child(bytes, trak, "mdia");
    const hdlr = mdia && child(bytes, mdia, "hdlr");
    // hdlr: version and flags (4), pre_defined (4), handler_type (4)
    if (!mdia || !hdlr || bytes.toString("latin1", hdlr.start + 8, hdlr.start + 12) !== "soun") {
      continue;
    }
    const stsd = path(bytes, mdia, ["minf", "stbl", "stsd"]);
    // stsd: version and flags (4), entry_count (4), then sample entries as boxes
    const entry = stsd && boxes(bytes, stsd.start + 8, stsd.end)[0];
    if (!entry) refused("has an audio track without a sample description");
    if (entry.type !== "Opus") refused(`has ${entry.type} audio; voice files must be Opus`);
    return { codec: "opus", durationMs: durationOf(bytes, mdia) };
  }
  refused("has no audio track");
}

function durationOf(bytes: Buffer, mdia: Box): number {
  const mdhd = child(bytes, mdia, "mdhd");
  if (!mdhd) return 0;
  const version = bytes.readUInt8(mdhd.start);
  const [timescale, duration] =
    version === 1
      ? [bytes.readUInt32BE(mdhd.start + 20), Number(bytes.readBigUInt64BE(mdhd.start + 24))]
      : [bytes.readUInt32BE(mdhd.start + 12), bytes.readUInt32BE(mdhd.start + 16)];
  return timescale > 0 ? Math.round((duration / timescale) * 1000) : 0;
}
