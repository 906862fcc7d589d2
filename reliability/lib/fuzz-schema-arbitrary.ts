// JSON Schema → fast-check, for the subset the OpenAPI documents (sandbox.json included) use:
// type, properties, required, enum, const, format int32/int64/uri/uuid/date, minimum/maximum,
// minLength/maxLength, items, minItems/maxItems, nullable, oneOf (with or without a
// discriminator). $refs must already be resolved (contract.ts's resolveRefs).
//
// Two generators: `validValue` draws values the schema accepts; `mutatedValue` draws values that
// break it in one place (a dropped required field, a wrong type, a number out of range, an enum
// value that is not one) or that are valid but hostile (huge, unicode, control characters,
// `__proto__` keys). Hints put real ids of the fuzzer's world at named places, so that valid
// requests reach the domain instead of stopping at "not found".
import fc from "fast-check";
import type { JsonSchema } from "../../packages/server/src/http/openapi/contract.ts";

/**
 * Arbitraries for the values at given places, by dotted path from the root of a body, query or
 * path ("users[].user_id", "content.voice.voice_id"; "[]" stands for any item of an array).
 */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

const INT32 = 2 ** 31;
/** Valid strings stay short: length is the mutator's business, and short bodies keep runs fast. */
const VALID_STRING_MAX = 40;

function at(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema.properties ?? {}) as Record<string, JsonSchema>;
}

function requiredOf(schema: JsonSchema): string[] {
  return (schema.required ?? []) as string[];
}

/** Each oneOf branch merged with what the parent declares next to the oneOf. */
export function branchesOf(schema: JsonSchema): JsonSchema[] {
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (!branches) return [schema];
  const { oneOf: _oneOf, anyOf: _anyOf, discriminator: _discriminator, ...parent } = schema;
  return branches.map((branch) => ({
    ...parent,
    ...branch,
    type: branch.type ?? parent.type ?? "object",
    properties: { ...propertiesOf(parent), ...propertiesOf(branch) },
    required: [...new Set([...requiredOf(parent), ...requiredOf(branch)])],
  }));
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  if (typeof type === "string") return type;
  if (schema.properties) return "object";
  return undefined;
}

function integerRange(schema: JsonSchema): { min: number; max: number } {
  const wide = schema.format === "int32" ? INT32 - 1 : Number.MAX_SAFE_INTEGER;
  const min = typeof schema.minimum === "number" ? schema.minimum : -wide;
  const max = typeof schema.maximum === "number" ? schema.maximum : wide;
  return { min, max };
}

function validInteger(schema: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = integerRange(schema);
  const small = fc.integer({ min: Math.max(min, -INT32), max: Math.min(max, INT32 - 1) });
  if (min >= -INT32 && max < INT32) return small;
  // int64 ids: fc.integer stops at 32 bits; the edges are where parsers go wrong.
  const wide = fc.maxSafeInteger().filter((n) => n >= min && n <= max);
  return fc.oneof(small, wide, fc.constantFrom(min, max));
}

// Built once: fc.webUrl() takes a good part of a millisecond to construct.
const webUrl = fc.webUrl();
const uuid = fc.uuid();
const isoDate = fc
  .date({
    min: new Date(Date.UTC(2000, 0, 1)),
    max: new Date(Date.UTC(2099, 11, 31)),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString().slice(0, 10));

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === "uri") return webUrl;
  if (schema.format === "uuid") return uuid;
  if (schema.format === "date") return isoDate;
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  const maxLength = Math.min(
    typeof schema.maxLength === "number" ? schema.maxLength : VALID_STRING_MAX,
    Math.max(minLength, VALID_STRING_MAX),
  );
  // ajv counts code points, so does "binary"; "grapheme-ascii" keeps some strings readable.
  return fc.oneof(
    fc.string({ unit: "grapheme-ascii", minLength, maxLength }),
    fc.string({ unit: "binary", minLength, maxLength }),
  );
}

/** Values `schema` accepts, with hinted places filled from the hints. */
export function validValue(
  schema: JsonSchema,
  hints: Hints = {},
  path = "",
): fc.Arbitrary<unknown> {
  const hinted = hints[path];
  if (hinted) return hinted;
  if (schema.oneOf || schema.anyOf) {
    return fc.oneof(...branchesOf(schema).map((b) => validValue(b, hints, path)));
  }
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (typeOf(schema)) {
    case "integer":
      return validInteger(schema);
    case "number":
      return fc.double({
        min: typeof schema.minimum === "number" ? schema.minimum : -1e9,
        max: typeof schema.maximum === "number" ? schema.maximum : 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "string":
      return validString(schema);
    case "array": {
      const items = (schema.items ?? {}) as JsonSchema;
      const minLength = typeof schema.minItems === "number" ? schema.minItems : 0;
      const maxLength = typeof schema.maxItems === "number" ? schema.maxItems : minLength + 4;
      return fc.array(validValue(items, hints, `${path}[]`), { minLength, maxLength });
    }
    case "object": {
      const properties = propertiesOf(schema);
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [
          key,
          validValue(value, hints, at(path, key)),
        ]),
      );
      return fc.record(model, { requiredKeys: requiredOf(schema) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Strings that break parsers, encoders, loggers and SQL, or are merely large. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u0007\u001b[31m",
    "\r\nX-Injected: 1",
    "\ud800",
    "\udfff\ud800",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "Z\u0351\u0360\u0334a\u0358\u0317l\u0315g\u035co",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "' OR 1=1 --",
    '"; DROP TABLE messages; --',
    "../../../../etc/passwd",
    "%00%FF%2e%2e",
    "$\u007bjndi:ldap://x}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "NaN",
    "-0",
    "1e309",
    "__proto__",
    "constructor",
    "null",
    "true",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
  fc
    .tuple(
      fc.constantFrom("a", "я", "😀", "\u0000", "\ufeff"),
      fc.integer({ min: 1001, max: 70_000 }),
    )
    .map(([unit, count]) => unit.repeat(count)),
);

/** Numbers no bounded integer field should take. */
function outOfRange(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { min, max } = integerRange(schema);
  // Only the edges and far-off values: the sandbox clock's advance_seconds takes anything up to
  // ten years, and a value in between would expire every token of the run.
  return fc.constantFrom(
    min - 1,
    max + 1,
    -1,
    0,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 63,
    -(2 ** 63),
    1.5,
    1e308,
    -1e308,
    Number.MIN_VALUE,
  );
}

const wrongType: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  true,
  false,
  0,
  -1,
  1.5,
  "",
  "x",
  "123",
  [],
  [1, "a"],
  {},
  { nested: { deeper: [null] } },
);

/** An object whose only own, enumerable key is named `key` (works for "__proto__" too). */
function withOwnKey(base: Record<string, unknown>, key: string, value: unknown): object {
  const out = { ...base };
  Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

function mutatedObject(schema: JsonSchema, hints: Hints, path: string): fc.Arbitrary<unknown> {
  const properties = propertiesOf(schema);
  const keys = Object.keys(properties);
  const required = requiredOf(schema);
  const valid = validValue(schema, hints, path) as fc.Arbitrary<Record<string, unknown>>;
  const options: fc.WeightedArbitrary<unknown>[] = [
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom("__proto__", "constructor", "prototype"))
        .map(([object, key]) =>
          withOwnKey(
            object,
            key,
            key === "constructor" ? { prototype: { polluted: 1 } } : { polluted: 1 },
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), hostileString)
        .map(([object, key, value]) => withOwnKey(object, key, value)),
    },
  ];
  if (required.length > 0) {
    options.push({
      weight: 3,
      arbitrary: fc.tuple(valid, fc.constantFrom(...required)).map(([object, key]) => {
        const { [key]: _dropped, ...rest } = object;
        return rest;
      }),
    });
  }
  if (keys.length > 0) {
    options.push({
      weight: 5,
      arbitrary: fc
        .constantFrom(...keys)
        .chain((key) =>
          fc
            .tuple(valid, mutatedValue(properties[key] as JsonSchema, hints, at(path, key)))
            .map(([object, value]) => withOwnKey(object, key, value)),
        ),
    });
  }
  return fc.oneof(...options);
}

/** Values that break `schema` in one place, or are hostile while still valid. */
export function mutatedValue(
  schema: JsonSchema,
  hints: Hints = {},
  path = "",
): fc.Arbitrary<unknown> {
  if (schema.oneOf || schema.anyOf) {
    return fc.oneof(...branchesOf(schema).map((b) => mutatedValue(b, hints, path)));
  }
  const options: fc.WeightedArbitrary<unknown>[] = [{ weight: 3, arbitrary: wrongType }];
  if (Array.isArray(schema.enum) || "const" in schema) {
    const allowed = (schema.enum as unknown[] | undefined) ?? [schema.const];
    const cased = allowed
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.toUpperCase());
    options.push({
      weight: 4,
      arbitrary: fc.constantFrom("unknown", 5, 0, ...cased).filter((v) => !allowed.includes(v)),
    });
  }
  switch (typeOf(schema)) {
    case "integer":
    case "number":
      options.push({ weight: 5, arbitrary: outOfRange(schema) });
      options.push({
        weight: 1,
        arbitrary: fc.constantFrom("1", "1e3", "0x10", " 7", "٣"),
      });
      break;
    case "string":
      options.push({ weight: 6, arbitrary: hostileString });
      if (typeof schema.maxLength === "number") {
        options.push({ weight: 2, arbitrary: fc.constant("x".repeat(schema.maxLength + 1)) });
      }
      break;
    case "array": {
      const items = (schema.items ?? {}) as JsonSchema;
      options.push({
        weight: 3,
        arbitrary: fc.oneof(
          fc.constant([]),
          fc.array(mutatedValue(items, hints, `${path}[]`), { minLength: 1, maxLength: 3 }),
          validValue(items, hints, `${path}[]`).map((item) =>
            Array.from({ length: 2000 }, () => item),
          ),
        ),
      });
      break;
    }
    case "object":
      options.push({ weight: 8, arbitrary: mutatedObject(schema, hints, path) });
      break;
  }
  return fc.oneof(...options);
}
