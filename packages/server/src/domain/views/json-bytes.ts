// An answer already encoded as JSON in UTF-8: what the reads build from fragments kept encoded
// (read-fragments.ts), so that neither JSON.stringify nor the socket's UTF-8 encoding runs over
// the bulk of a 227 KB chats list again. The http layer's reply serializer sends the bytes as
// they are (http/plugins/json-bytes.ts).
export class JsonBytes {
  readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
}

/**
 * Appends JSON text and encoded fragments, then copies them once into one buffer. Text pieces
 * in a row are joined as strings and encoded together when a fragment, or the end, comes.
 */
export class JsonWriter {
  readonly #chunks: (string | Buffer)[] = [];
  #text = "";
  #length = 0;

  /** JSON text (already escaped: numbers, punctuation, JSON.stringify of strings). */
  text(json: string): this {
    this.#text += json;
    return this;
  }

  /** A fragment kept encoded. */
  bytes(fragment: Buffer): this {
    this.#flushText();
    this.#chunks.push(fragment);
    this.#length += fragment.length;
    return this;
  }

  finish(): JsonBytes {
    this.#flushText();
    const out = Buffer.allocUnsafe(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      offset += typeof chunk === "string" ? out.write(chunk, offset) : chunk.copy(out, offset);
    }
    return new JsonBytes(out);
  }

  #flushText(): void {
    if (this.#text === "") return;
    this.#chunks.push(this.#text);
    this.#length += Buffer.byteLength(this.#text);
    this.#text = "";
  }
}
