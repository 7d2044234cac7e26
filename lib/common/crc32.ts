/**
 * CRC-32 as PNG (ISO 3309 / ITU-T V.42) and zip use it: reflected
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
 *
 * @module
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Feeds `bytes` into a running CRC-32 and returns the new value. Start with
 * `crc = 0` (the default); pass the result back in to continue over more
 * bytes, so a PNG chunk's type and data can be summed without copying.
 */
export function updateCrc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/** The CRC-32 of `bytes`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array): number {
  return updateCrc32(bytes, 0);
}
