// heic-decode ships no types; this is the part Beseda uses.
declare module "heic-decode" {
  interface DecodedHeic {
    width: number;
    height: number;
    /** RGBA, 4 bytes a pixel. */
    data: Uint8ClampedArray;
  }
  /** An image of the file, its size read by libheif; decode() decodes it. */
  interface HeicImage {
    width: number;
    height: number;
    decode(): Promise<DecodedHeic>;
  }
  type HeicImages = HeicImage[] & { dispose(): void };
  function decode(input: { buffer: Uint8Array }): Promise<DecodedHeic>;
  namespace decode {
    /** Reads the file's images without decoding them. */
    function all(input: { buffer: Uint8Array }): Promise<HeicImages>;
  }
  export default decode;
}
