/**
 * The format and pixel dimensions of a PNG, JPEG or WebP file, read from
 * its header without decoding it. Thumbnailing checks these first, so an
 * image whose header claims more pixels than the budget is refused before
 * any decoder allocates memory for it (a "decompression bomb" of a few KiB
 * can declare 65,535 × 65,535 pixels).
 *
 * @module
 */

/** Image formats spidey can decode for thumbnails. */
export type ImageFormat = "png" | "jpeg" | "webp";

/** What a header says about an image. */
export interface ImageSize {
  /** The container format, from the magic bytes. */
  format: ImageFormat;
  /** Width in pixels (at least 1). */
  width: number;
  /** Height in pixels (at least 1). */
  height: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) {
    if (bytes[i] !== magic[i]) return false;
  }
  return true;
}

function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) |
    b[at + 3]!) >>> 0;
}

function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u24le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (b[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

function sized(
  format: ImageFormat,
  width: number,
  height: number,
): ImageSize | null {
  return width > 0 && height > 0 ? { format, width, height } : null;
}

function pngSize(b: Uint8Array): ImageSize | null {
  // The first chunk must be IHDR: length 13, then width and height.
  if (b.length < 24 || !ascii(b, 12, "IHDR")) return null;
  return sized("png", u32be(b, 16), u32be(b, 20));
}

// SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC),
// which share the range.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 &&
    marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): ImageSize | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    // Fill bytes (FF FF …) may pad between segments.
    if (marker === 0xff) {
      at++;
      continue;
    }
    // Markers without a length: TEM and RST0–7. SOS or EOI before a frame
    // header means there is no frame to size.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const length = u16be(b, at + 2);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (at + 9 > b.length) return null;
      return sized("jpeg", u16be(b, at + 7), u16be(b, at + 5));
    }
    at += 2 + length;
  }
  return null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  if (b.length < 30) return null;
  const data = 20;
  if (ascii(b, 12, "VP8 ")) {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit sizes.
    if (b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) {
      return null;
    }
    return sized(
      "webp",
      u16le(b, data + 6) & 0x3fff,
      u16le(b, data + 8) & 0x3fff,
    );
  }
  if (ascii(b, 12, "VP8L")) {
    // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
    if (b[data] !== 0x2f) return null;
    const bits = (b[data + 1]! | (b[data + 2]! << 8) | (b[data + 3]! << 16) |
      (b[data + 4]! << 24)) >>> 0;
    return sized("webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, "VP8X")) {
    // Extended: flags and reserved bytes, then 24-bit canvas size minus one.
    return sized("webp", u24le(b, data + 4) + 1, u24le(b, data + 7) + 1);
  }
  return null;
}

/**
 * The format and size `bytes` declare, or null when they are not a PNG,
 * JPEG or WebP header this function can read (including a truncated one).
 * Only the header is trusted here; the decoder still validates the rest.
 */
export function readImageSize(bytes: Uint8Array): ImageSize | null {
  if (startsWith(bytes, PNG_MAGIC)) return pngSize(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    return jpegSize(bytes);
  }
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) {
    return webpSize(bytes);
  }
  return null;
}
