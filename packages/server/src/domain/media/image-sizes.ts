// The sizes production serves an image in (WIRE-NOTES): each fits inside its box.
export const IMAGE_SIZES = [
  { name: "1280x960", width: 1280, height: 960 },
  { name: "640x480", width: 640, height: 480 },
  { name: "140x105", width: 140, height: 105 },
  { name: "32x32", width: 32, height: 32 },
] as const;

export const IMAGE_SIZE_NAMES: readonly string[] = IMAGE_SIZES.map((s) => s.name);
