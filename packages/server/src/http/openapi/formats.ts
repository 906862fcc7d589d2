// The OpenAPI formats the documents use that ajv does not know. int32 is checked for its range;
// int64 for JSON's safe-integer range, which is what ids must fit (WIRE-NOTES).
import type { Format } from "ajv";

export const OPENAPI_FORMATS: Record<string, Format> = {
  int32: { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 },
  int64: { type: "number", validate: (n: number) => Number.isSafeInteger(n) },
  float: { type: "number", validate: (n: number) => Number.isFinite(n) },
  binary: true,
};
