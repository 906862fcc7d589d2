// An answer already encoded as JSON in UTF-8: what the reads build from fragments kept encoded
// (read-fragments.ts), so that neither JSON.stringify nor the socket's UTF-8 encoding runs over
// the bulk of a 227 KB chats list again. The http layer's reply serializer sends the bytes as
// they are (http/plugins/json-bytes.ts).
//
// An answer's memory is given back as soon as nobody holds it. Left to the garbage collector, a
// dropped answer's bytes stayed allocated until the next full collection: under crm-mixed, where
// buyers' sends rebuild each seller's 227 KB lists about twice a second, that was up to 70 MB of
// dead answers, which the allocator then kept (the server's peak RSS 230-272 MB from run to run).
// Holders: whoever built the answer or was handed it by KeptAnswers.find (one each), KeptAnswers
// while it keeps it, and a response while its bytes are being written.

/** Answers this long or longer get memory of their own, which release() frees. */
export const OWN_MEMORY_BYTES = 4096;

export class JsonBytes {
  readonly bytes: Buffer;
  /** The memory under `bytes` when nothing else shares it; shorter answers are slices of a pool. */
  readonly #memory: ArrayBuffer | null;
  #holders = 1;

  /** `memory`: the ArrayBuffer that `bytes` fills alone, to free on the last release. */
  constructor(bytes: Buffer, memory: ArrayBuffer | null = null) {
    this.bytes = bytes;
    this.#memory = memory;
  }

  /** One more holder, which must release() it once done with the bytes. */
  hold(): this {
    this.#holders++;
    return this;
  }

  /**
   * A holder is done with the bytes. After the last one, they are gone (the Buffer is empty): a
   * response releases only once its write has completed or its socket has closed.
   */
  release(): void {
    if (this.#holders <= 0) return;
    this.#holders--;
    // transfer(0) detaches the ArrayBuffer, which frees its memory at once.
    if (this.#holders === 0) this.#memory?.transfer(0);
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
    // allocUnsafeSlow: a Buffer over an ArrayBuffer of its own, never a slice of Node's pool.
    const owned = this.#length >= OWN_MEMORY_BYTES;
    const out = owned ? Buffer.allocUnsafeSlow(this.#length) : Buffer.allocUnsafe(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      offset += typeof chunk === "string" ? out.write(chunk, offset) : chunk.copy(out, offset);
    }
    return new JsonBytes(out, owned ? (out.buffer as ArrayBuffer) : null);
  }

  #flushText(): void {
    if (this.#text === "") return;
    this.#chunks.push(this.#text);
    this.#length += Buffer.byteLength(this.#text);
    this.#text = "";
  }
}
