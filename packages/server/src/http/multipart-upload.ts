// Reads the one file of a multipart upload into memory, within a byte limit enforced while it
// streams: past the limit the request is answered at once (413) and its connection closed, so the
// rest of the upload is cut off and nothing of it is kept. The bytes are hashed as they arrive
// (domain/media/uploaded-file.ts). Anything but exactly one file, in the expected field, is a
// clear 400.

import type { Socket } from "node:net";
import type { MultipartFile } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { type UploadedFile, UploadedFileBuilder } from "../domain/media/uploaded-file.ts";
import { BesedaError, validationError } from "../errors/beseda-error.ts";
import type { ErrorCode } from "../errors/catalogue.ts";

export interface UploadRule {
  field: string;
  maxBytes: number;
  /** The catalogue error for a file over the limit. */
  tooLarge: ErrorCode;
}

const CUT = { connection: "close" };
const YIELD_EVERY_BYTES = 512 * 1024;

/**
 * The file's bytes. Past the limit busboy stops passing data on but keeps reading (and dropping)
 * the rest of the part, and part.toBuffer() throws only once the part has ended: the whole upload
 * would be read before the 413. Here the 'limit' event refuses the file at once instead.
 */
function readWithinLimit(
  file: MultipartFile["file"],
  rule: UploadRule,
  socket: Socket,
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const builder = new UploadedFileBuilder(rule.maxBytes);
    let sinceYield = 0;
    const tooLarge = () => {
      file.destroy();
      reject(new BesedaError(rule.tooLarge, { headers: CUT }));
    };
    file.on("data", (chunk: Buffer) => {
      if (!builder.append(chunk)) return tooLarge();
      // libuv reads a busy socket up to 32 times in one turn (2 MB); stopping the socket's reads
      // after each half megabyte lets the other requests in between.
      sinceYield += chunk.byteLength;
      if (sinceYield >= YIELD_EVERY_BYTES && !socket.isPaused()) {
        sinceYield = 0;
        socket.pause();
        setImmediate(() => socket.resume());
      }
    });
    file.once("limit", tooLarge);
    file.once("end", () => resolve(builder.build()));
    file.once("error", reject);
  });
}

export async function readSingleUpload(
  request: FastifyRequest,
  rule: UploadRule,
): Promise<UploadedFile> {
  if (!request.isMultipart()) {
    throw validationError({
      [rule.field]: `expected multipart/form-data with one file in the field "${rule.field}"`,
    });
  }
  let file: UploadedFile | undefined;
  let sentAsText = false;
  try {
    // Two files are allowed through the parser so that the second can be refused by name.
    for await (const part of request.parts({
      limits: { fileSize: rule.maxBytes, files: 2, fields: 20 },
    })) {
      if (part.type !== "file") {
        sentAsText ||= part.fieldname === rule.field;
        continue;
      }
      if (part.fieldname !== rule.field) {
        part.file.resume();
        throw validationError({
          [rule.field]: `is missing; the file came in the field "${part.fieldname}"`,
        });
      }
      if (file) {
        part.file.resume();
        throw validationError({ [rule.field]: "must hold one file; send one file per request" });
      }
      file = await readWithinLimit(part.file, rule, request.raw.socket);
    }
  } catch (error) {
    if (error instanceof BesedaError) throw error;
    const code = (error as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw new BesedaError(rule.tooLarge, { headers: CUT });
    if (code === "FST_FILES_LIMIT") {
      throw validationError({ [rule.field]: "must hold one file; send one file per request" });
    }
    throw validationError({
      [rule.field]: `the multipart body cannot be read: ${(error as Error).message}`,
    });
  }
  if (!file && sentAsText) {
    // A part without a filename is a text field to multipart parsers (curl's -F 'name=<file'
    // sends one): the bytes came, but not as a file.
    throw validationError({
      [rule.field]: `came as a text field, not a file: send it as a file part, with a filename (curl -F '${rule.field}=@photo.jpg')`,
    });
  }
  if (!file) throw validationError({ [rule.field]: "is missing: the request holds no file" });
  if (file.byteLength === 0) throw validationError({ [rule.field]: "is empty" });
  return file;
}
