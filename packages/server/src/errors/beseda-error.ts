// The error every layer throws for an expected failure: a catalogue code plus, optionally, a more
// precise message, validation fields or response headers. Anything else is a 500.
import { ERRORS, type ErrorCode, type ErrorSpec } from "./catalogue.ts";

export interface BesedaErrorOptions {
  message?: string;
  fields?: Record<string, string>;
  headers?: Record<string, string>;
}

export class BesedaError extends Error {
  readonly code: ErrorCode;
  readonly spec: ErrorSpec;
  readonly fields: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, options: BesedaErrorOptions = {}) {
    const spec: ErrorSpec = ERRORS[code];
    super(options.message ?? spec.message);
    this.name = "BesedaError";
    this.code = code;
    this.spec = spec;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

/** A 400 validatingError naming each bad field. */
export function validationError(fields: Record<string, string>, message?: string): BesedaError {
  return new BesedaError("validation", message === undefined ? { fields } : { fields, message });
}
