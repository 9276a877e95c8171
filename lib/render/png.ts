import { crc32, deflateSync } from "node:zlib";

/**
 * A truecolour PNG from an RGB raster (PNG specification, ISO/IEC 15948: signature, IHDR, one
 * IDAT, IEND). Written here rather than taken from a PNG library: the email only ever writes
 * small opaque 8-bit RGB images, which is this much code over node:zlib, and the KPI report's
 * Lambda bundle is already over its size budget (a library's decoder and stream machinery would
 * ride along unused). Tests read the output back with an independent decoder (pngjs).
 */

/** An opaque image: `data` holds width × height pixels, 3 bytes each (R, G, B), row by row. */
export interface RgbRaster {
  width: number;
  height: number;
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  body.copy(out, 8);
  // The CRC covers the type and the data, not the length.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)) >>> 0, 8 + body.length);
  return out;
}

export function encodePng(image: RgbRaster): Buffer {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`PNG size ${width}×${height}`);
  if (data.length !== width * height * 3) throw new RangeError("PNG data does not match its size");
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  // Bytes 10–12: compression 0 (deflate), filter method 0, no interlace.
  const stride = width * 3;
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 1 (Sub) per row: flat backgrounds become runs of zeros, which deflate well.
    const at = y * (stride + 1);
    rows[at] = 1;
    for (let x = 0; x < stride; x++) {
      const v = data[y * stride + x] as number;
      const left = x >= 3 ? (data[y * stride + x - 3] as number) : 0;
      rows[at + 1 + x] = (v - left) & 0xff;
    }
  }
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
