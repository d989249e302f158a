/**
 * The store owner's pages ask for /favicon.ico; a 404 there is a console error on every page. A 16×16
 * ICO (32-bit BMP inside) is built once: a blue square with a white bar, the integrator's colours.
 */
function buildIcon(): Buffer {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const bar = y >= 6 && y <= 9 && x >= 3 && x <= 12;
      // BGRA, rows bottom-up as BMP stores them
      pixels.set(bar ? [255, 255, 255, 255] : [216, 78, 29, 255], i);
    }
  }
  const mask = Buffer.alloc(size * 4); // 1-bit AND mask, rows padded to 32 bits: all opaque
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour + mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(size, 6);
  dir.writeUInt8(size, 7);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(dir.length, 18);
  return Buffer.concat([dir, image]);
}

export const FAVICON = buildIcon();
