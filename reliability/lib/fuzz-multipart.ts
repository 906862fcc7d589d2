// multipart/form-data bodies built byte by byte, so that the fuzzer controls every part of them
// (FormData would refuse or repair the broken ones it needs to send).
export interface MultipartPart {
  field: string;
  bytes: Buffer;
  /** A file part when set; a plain field otherwise. */
  filename?: string;
  type?: string;
}

export function buildMultipart(
  parts: readonly MultipartPart[],
  boundary = "----beseda-fuzz-7MA4YWxkTrZu0gW",
): { body: Buffer; boundary: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.field}"`
        : `form-data; name="${part.field}"; filename="${part.filename}"`;
    const type =
      part.filename === undefined
        ? ""
        : `Content-Type: ${part.type ?? "application/octet-stream"}\r\n`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(part.bytes, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), boundary };
}
