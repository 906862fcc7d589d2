// The scopes an app may ask for: those the auth document names for the authorization_code flow,
// with its descriptions. Production writes a scope list comma-separated ("messenger:read,
// messenger:write"), in the authorize URL and in the token answer alike.
import { createRequire } from "node:module";
import { validationError } from "../../errors/beseda-error.ts";

interface AuthDocument {
  components: {
    securitySchemes: {
      AuthorizationCode: { flows: { authorizationCode: { scopes: Record<string, string> } } };
    };
  };
}

const authDocument = createRequire(import.meta.url)("@beseda/contract/auth.json") as AuthDocument;

/** Scope → its description (Russian, as the document words it). */
export const SCOPE_DESCRIPTIONS: ReadonlyMap<string, string> = new Map(
  Object.entries(
    authDocument.components.securitySchemes.AuthorizationCode.flows.authorizationCode.scopes,
  ),
);

export interface ScopeDescription {
  scope: string;
  description: string;
}

/**
 * The scopes of a comma-separated list, each named once, in the order given; a 400 naming `field`
 * for an empty list, an empty entry or a scope the document does not know.
 */
export function parseScopes(text: string, field: string): ScopeDescription[] {
  if (text.trim() === "") {
    throw validationError({ [field]: "is empty" }, "No scope is asked for");
  }
  const scopes: ScopeDescription[] = [];
  for (const entry of text.split(",")) {
    const scope = entry.trim();
    if (scope === "") {
      throw validationError(
        { [field]: "holds an empty entry: scopes are separated by single commas" },
        `Malformed scope list: ${JSON.stringify(text)}`,
      );
    }
    const description = SCOPE_DESCRIPTIONS.get(scope);
    if (description === undefined) {
      throw validationError(
        { [field]: `unknown scope ${JSON.stringify(scope)}: scopes are comma-separated` },
        `Unknown scope: ${JSON.stringify(scope)}`,
      );
    }
    if (!scopes.some((s) => s.scope === scope)) scopes.push({ scope, description });
  }
  return scopes;
}
