/**
 * A Windows icon (ICO) writer whose images are PNGs, as every browser and
 * Windows since Vista accept: a 6-byte ICONDIR, one 16-byte entry per
 * image, then the PNG files themselves.
 *
 * @module
 */

import { MediaEncodeError } from "./media_error.ts";

/** One image of an icon: its size and its complete PNG file. */
export interface IconImage {
  /** Width in pixels, 1 to 256. */
  width: number;
  /** Height in pixels, 1 to 256. */
  height: number;
  /** A PNG file of exactly that size. */
  png: Uint8Array;
}

const DIR_BYTES = 6;
const ENTRY_BYTES = 16;

/** Packs `images` into one `.ico` file. */
export function encodeIco(images: readonly IconImage[]): Uint8Array {
  if (images.length < 1 || images.length > 0xffff) {
    throw new MediaEncodeError(
      "ICO_BAD_COUNT",
      `An icon holds 1 to 65535 images, got ${images.length}`,
    );
  }
  let size = DIR_BYTES + ENTRY_BYTES * images.length;
  for (const image of images) {
    for (const side of [image.width, image.height]) {
      if (!Number.isInteger(side) || side < 1 || side > 256) {
        throw new MediaEncodeError(
          "ICO_BAD_SIZE",
          `Icon images are 1 to 256 pixels a side, got ${side}`,
        );
      }
    }
    size += image.png.length;
  }
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  view.setUint16(2, 1, true); // type 1: icon (2 would be a cursor)
  view.setUint16(4, images.length, true);
  let offset = DIR_BYTES + ENTRY_BYTES * images.length;
  images.forEach((image, i) => {
    const at = DIR_BYTES + ENTRY_BYTES * i;
    // A side of 256 is stored as 0: the field is one byte.
    file[at] = image.width & 0xff;
    file[at + 1] = image.height & 0xff;
    view.setUint16(at + 4, 1, true); // colour planes
    view.setUint16(at + 6, 32, true); // bits per pixel
    view.setUint32(at + 8, image.png.length, true);
    view.setUint32(at + 12, offset, true);
    file.set(image.png, offset);
    offset += image.png.length;
  });
  return file;
}
