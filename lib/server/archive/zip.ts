/**
 * A streaming zip writer: every file stored (no compression, so no CPU
 * is spent on media that would not shrink and the stream never waits on
 * a compressor), its CRC-32 and sizes in a data descriptor after its
 * bytes, so nothing is read twice or held. ZIP64 records are written for
 * files of 4 GiB and more, offsets past 4 GiB and more than 65,535
 * entries. Only the central directory grows with the archive: some 50
 * bytes plus the name per entry.
 *
 * @module
 */

import { type ArchiveEntry, exactContent } from "./entry.ts";
import { updateCrc32 } from "../../common/crc32.ts";

const encoder = new TextEncoder();
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const UNIX = 3;

/** An MS-DOS date and time (local time, 1980 at the earliest). */
function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  if (d.getFullYear() < 1980) return { date: (1 << 5) | 1, time: 0 };
  return {
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) |
      d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) |
      (d.getSeconds() >> 1),
  };
}

/** A little-endian byte builder. */
class Bytes {
  #view: DataView;
  #bytes: Uint8Array;
  #at = 0;

  constructor(length: number) {
    this.#bytes = new Uint8Array(length);
    this.#view = new DataView(this.#bytes.buffer);
  }
  u16(n: number): this {
    this.#view.setUint16(this.#at, n, true);
    this.#at += 2;
    return this;
  }
  u32(n: number): this {
    this.#view.setUint32(this.#at, n >>> 0, true);
    this.#at += 4;
    return this;
  }
  u64(n: number): this {
    this.#view.setBigUint64(this.#at, BigInt(n), true);
    this.#at += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.#bytes.set(b, this.#at);
    this.#at += b.length;
    return this;
  }
  get bytes(): Uint8Array {
    return this.#bytes;
  }
}

/** What the central directory keeps of each entry. */
interface Record {
  name: Uint8Array;
  dir: boolean;
  mode: number;
  date: number;
  time: number;
  crc: number;
  size: number;
  offset: number;
  flags: number;
}

/** Options of {@linkcode zipStream}. */
export interface ZipOptions {
  /** Write ZIP64 records even when not needed (to test them small). */
  forceZip64?: boolean;
}

/** The zip archive of `entries`, piece by piece. */
export async function* zipStream(
  entries: AsyncIterable<ArchiveEntry>,
  options: ZipOptions = {},
): AsyncGenerator<Uint8Array> {
  const force = options.forceZip64 === true;
  const records: Record[] = [];
  let offset = 0;
  for await (const entry of entries) {
    const dir = entry.kind === "directory";
    const name = encoder.encode(dir ? `${entry.path}/` : entry.path);
    const { date, time } = dosDateTime(entry.mtimeMs);
    const flags = FLAG_UTF8 | (dir ? 0 : FLAG_DESCRIPTOR);
    const big = !dir && (force || entry.size >= MAX32);
    // Sizes and CRC follow in the descriptor; a ZIP64 one is announced by
    // the extra field and 0xffffffff sizes here.
    const local = new Bytes(30 + name.length + (big ? 20 : 0))
      .u32(0x04034b50).u16(big ? 45 : 20).u16(flags).u16(0)
      .u16(time).u16(date).u32(0)
      .u32(big ? MAX32 : 0).u32(big ? MAX32 : 0)
      .u16(name.length).u16(big ? 20 : 0).raw(name);
    if (big) local.u16(0x0001).u16(16).u64(0).u64(0);
    yield local.bytes;
    const record: Record = {
      name,
      dir,
      mode: entry.mode,
      date,
      time,
      crc: 0,
      size: 0,
      offset,
      flags,
    };
    offset += local.bytes.length;
    if (!dir) {
      let crc = 0;
      for await (const piece of exactContent(entry)) {
        crc = updateCrc32(piece, crc);
        yield piece;
      }
      record.crc = crc;
      record.size = entry.size;
      const descriptor = big
        ? new Bytes(24).u32(0x08074b50).u32(crc).u64(entry.size).u64(
          entry.size,
        )
        : new Bytes(16).u32(0x08074b50).u32(crc).u32(entry.size).u32(
          entry.size,
        );
      yield descriptor.bytes;
      offset += entry.size + descriptor.bytes.length;
    }
    records.push(record);
  }
  const cdStart = offset;
  for (const r of records) {
    const bigSize = force && !r.dir || r.size >= MAX32;
    const bigOffset = force || r.offset >= MAX32;
    const extraLength = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
    const central = new Bytes(
      46 + r.name.length + (extraLength > 0 ? 4 + extraLength : 0),
    )
      .u32(0x02014b50).u16((UNIX << 8) | 45)
      .u16(extraLength > 0 ? 45 : 20).u16(r.flags).u16(0)
      .u16(r.time).u16(r.date).u32(r.crc)
      .u32(bigSize ? MAX32 : r.size).u32(bigSize ? MAX32 : r.size)
      .u16(r.name.length).u16(extraLength > 0 ? 4 + extraLength : 0)
      .u16(0).u16(0).u16(0)
      .u32(
        ((r.dir ? 0o040000 : 0o100000) | (r.mode & 0o7777)) * 0x10000 +
          (r.dir ? 0x10 : 0),
      )
      .u32(bigOffset ? MAX32 : r.offset).raw(r.name);
    if (extraLength > 0) {
      central.u16(0x0001).u16(extraLength);
      if (bigSize) central.u64(r.size).u64(r.size);
      if (bigOffset) central.u64(r.offset);
    }
    yield central.bytes;
    offset += central.bytes.length;
  }
  const cdSize = offset - cdStart;
  const count = records.length;
  const zip64 = force || count >= MAX16 || cdStart >= MAX32 ||
    cdSize >= MAX32;
  if (zip64) {
    yield new Bytes(56 + 20)
      .u32(0x06064b50).u64(44).u16((UNIX << 8) | 45).u16(45)
      .u32(0).u32(0).u64(count).u64(count).u64(cdSize).u64(cdStart)
      .u32(0x07064b50).u32(0).u64(offset).u32(1).bytes;
  }
  yield new Bytes(22)
    .u32(0x06054b50).u16(0).u16(0)
    .u16(zip64 ? MAX16 : count).u16(zip64 ? MAX16 : count)
    .u32(zip64 ? MAX32 : cdSize).u32(zip64 ? MAX32 : cdStart).u16(0).bytes;
}
