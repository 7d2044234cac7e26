/**
 * Reading text lines from a byte stream: a `-p` child's control lines on
 * stdin, and the parent's view of each child's stdout.
 *
 * @module
 */

/** Reads some bytes; null at the end of the stream. */
export type ChunkSource = () => Promise<Uint8Array | null>;

/** Chunks from anything with `Deno.Reader`'s `read`. */
export function readerChunks(
  reader: { read(p: Uint8Array): Promise<number | null> },
): ChunkSource {
  const buf = new Uint8Array(4096);
  return async () => {
    const n = await reader.read(buf);
    return n === null ? null : buf.subarray(0, n);
  };
}

/** Chunks from a byte `ReadableStream`. */
export function streamChunks(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader();
  return async () => {
    const { value, done } = await reader.read();
    return done ? null : value;
  };
}

/** Splits a byte stream into lines (without their LF). */
export class LineReader {
  readonly #next: ChunkSource;
  readonly #decoder = new TextDecoder();
  #text = "";
  #ended = false;

  /** Lines from `next`'s chunks. */
  constructor(next: ChunkSource) {
    this.#next = next;
  }

  /** The next line; a last line without LF counts; null at the end. */
  async line(): Promise<string | null> {
    for (;;) {
      const lf = this.#text.indexOf("\n");
      if (lf >= 0) {
        const line = this.#text.slice(0, lf);
        this.#text = this.#text.slice(lf + 1);
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      if (this.#ended) {
        if (this.#text === "") return null;
        const rest = this.#text;
        this.#text = "";
        return rest;
      }
      let chunk: Uint8Array | null;
      try {
        chunk = await this.#next();
      } catch {
        chunk = null;
      }
      if (chunk === null) {
        this.#ended = true;
        this.#text += this.#decoder.decode();
      } else this.#text += this.#decoder.decode(chunk, { stream: true });
    }
  }
}
