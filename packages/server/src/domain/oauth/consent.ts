// The consent page's logic, without HTTP: reading an authorization request (when the page is
// shown, and again when its form comes back, so that a hand-made POST gets past nothing), the
// accounts a user may act as, and the decision: a code for the chosen account, or access_denied,
// as the Location to send the browser to. A Location is only ever built from a redirect URI the
// app registered; every bad request is an error for the page to show instead.
import { validationError } from "../../errors/beseda-error.ts";
import type { Account } from "../../store/records.ts";
import {
  findAccount,
  findAccountByClientId,
  listAccountsOfKind,
} from "../../store/repositories/accounts.ts";
import { findRedirectUris } from "../../store/repositories/redirect-uris.ts";
import type { Db } from "../../store/store.ts";
import type { DomainContext } from "../context.ts";
import { insertNewAuthorizationCode, requireRegisteredRedirectUri } from "./authorization-codes.ts";
import { parseScopes, type ScopeDescription } from "./scopes.ts";

/** Query or form parameters as parsed: a repeated key arrives as an array. */
export type RequestParams = Readonly<Record<string, unknown>>;

export interface AuthorizationRequest {
  /** The account whose client_id asks. */
  app: Account;
  scopes: ScopeDescription[];
  /** Returned untouched; null when the request had none. */
  state: string | null;
  /** Where the answer goes: the redirect_uri named, or the app's only registered one. */
  redirectUri: string;
  /** The parameters the page's form carries back, as they arrived. */
  parameters: Record<string, string>;
}

export interface ConsentPage {
  request: AuthorizationRequest;
  /** The accounts to choose from, newest first. */
  accounts: Account[];
  /** More accounts exist than are listed. */
  moreAccounts: boolean;
}

/** How many accounts the page lists; a sandbox holds few. */
export const CONSENT_ACCOUNT_LIMIT = 500;

const REGISTER_HINT = "register one with PUT /sandbox/v1/accounts/{user_id}/redirect-uris";

/** A parameter given at most once (RFC 6749, section 3.1); null when absent. */
function single(params: RequestParams, name: string): string | null {
  const value = params[name];
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    throw validationError(
      { [name]: "is given more than once" },
      `The parameter ${name} is given more than once`,
    );
  }
  if (typeof value !== "string") throw validationError({ [name]: "must be a string" });
  return value;
}

function redirectUriOf(registered: readonly string[], named: string | null): string {
  if (named !== null) {
    requireRegisteredRedirectUri(registered, named);
    return named;
  }
  const [only] = registered;
  if (only !== undefined && registered.length === 1) return only;
  throw validationError(
    {
      redirect_uri:
        registered.length === 0
          ? `is required: the app has no registered redirect URI (${REGISTER_HINT})`
          : "is required: the app registered several, so the request must name one",
    },
    "The request names no redirect_uri",
  );
}

/** Every check of an authorization request, in the order its errors are reported. */
export async function checkAuthorizationRequest(
  db: Db,
  params: RequestParams,
): Promise<AuthorizationRequest> {
  const clientId = single(params, "client_id");
  const namedRedirectUri = single(params, "redirect_uri");
  const responseType = single(params, "response_type");
  const scope = single(params, "scope");
  const state = single(params, "state");

  if (!clientId) {
    throw validationError({ client_id: "is required" }, "The request names no client_id");
  }
  const app = await findAccountByClientId(db, clientId);
  if (!app) {
    throw validationError(
      { client_id: "no app has this client_id" },
      `Unknown client_id: ${JSON.stringify(clientId)}`,
    );
  }
  const redirectUri = redirectUriOf(await findRedirectUris(db, app.id), namedRedirectUri);
  if (!responseType) {
    throw validationError(
      { response_type: "is required: response_type=code" },
      "The request names no response_type",
    );
  }
  if (responseType !== "code") {
    throw validationError(
      { response_type: "must be code" },
      `Unsupported response_type: ${JSON.stringify(responseType)}`,
    );
  }
  if (scope === null) {
    throw validationError(
      { scope: "is required, e.g. scope=messenger:read,messenger:write" },
      "The request names no scope",
    );
  }
  const scopes = parseScopes(scope, "scope");
  // It goes back in a URL: a string no URL can carry is refused here, not failed on there.
  if (state !== null && !state.isWellFormed()) {
    throw validationError({ state: "is not well-formed Unicode" });
  }
  // It rides in a hidden field of the form: browsers send a lone CR or LF back as CRLF and a NUL
  // as U+FFFD (Chromium does), so such a state would come back changed. Refused instead.
  if (state !== null && /\0|\r(?!\n)|(?<!\r)\n/.test(state)) {
    throw validationError({
      state: "holds a NUL or a lone CR or LF, which a browser's form does not send back unchanged",
    });
  }

  const parameters: Record<string, string> = { response_type: responseType, client_id: clientId };
  if (namedRedirectUri !== null) parameters.redirect_uri = namedRedirectUri;
  parameters.scope = scope;
  if (state !== null) parameters.state = state;
  return { app, scopes, state, redirectUri, parameters };
}

/** GET /oauth: the request, checked, and the accounts to act as. */
export async function consentPage(ctx: DomainContext, params: RequestParams): Promise<ConsentPage> {
  const db = ctx.store.db;
  const request = await checkAuthorizationRequest(db, params);
  const listed = await listAccountsOfKind(db, "user", CONSENT_ACCOUNT_LIMIT + 1);
  return {
    request,
    accounts: listed.slice(0, CONSENT_ACCOUNT_LIMIT),
    moreAccounts: listed.length > CONSENT_ACCOUNT_LIMIT,
  };
}

/**
 * The redirect URI with the answer added to its query. Its own query is kept as it is (it was
 * registered so; RFC 6749, section 3.1.2); registered URIs hold no fragment.
 */
export function answerLocation(
  request: AuthorizationRequest,
  answer: Record<string, string>,
): string {
  const pairs = Object.entries(answer);
  if (request.state !== null) pairs.push(["state", request.state]);
  const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const uri = request.redirectUri;
  const separator = !uri.includes("?") ? "?" : /[?&]$/.test(uri) ? "" : "&";
  return `${uri}${separator}${query.join("&")}`;
}

async function chosenAccount(db: Db, params: RequestParams): Promise<Account> {
  const raw = single(params, "user_id");
  if (!raw) {
    throw validationError({ user_id: "choose the account to act as" }, "No account was chosen");
  }
  const userId = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  const account = Number.isSafeInteger(userId) ? await findAccount(db, userId) : undefined;
  if (account?.kind !== "user") {
    throw validationError(
      { user_id: "no sandbox account has this user_id" },
      `The chosen account does not exist: ${JSON.stringify(raw)}`,
    );
  }
  return account;
}

/**
 * POST /oauth: the user's decision, with the request checked again. Approve issues a code for the
 * chosen account, bound to the redirect_uri the request named (if any); deny issues nothing.
 * Either way the answer is the Location to send the browser to.
 */
export async function decideConsent(ctx: DomainContext, params: RequestParams): Promise<string> {
  return ctx.store.transaction(async (db) => {
    const request = await checkAuthorizationRequest(db, params);
    const decision = single(params, "decision");
    if (decision === "deny") return answerLocation(request, { error: "access_denied" });
    if (decision !== "approve") {
      throw validationError(
        { decision: "must be approve or deny" },
        "The form says neither approve nor deny",
      );
    }
    const account = await chosenAccount(db, params);
    const { code } = await insertNewAuthorizationCode(ctx, db, {
      clientId: request.app.clientId,
      userId: account.id,
      scopes: request.scopes.map((s) => s.scope),
      redirectUri: request.parameters.redirect_uri ?? null,
    });
    return answerLocation(request, { code });
  });
}
