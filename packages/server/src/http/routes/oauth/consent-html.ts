// The consent page and its error page as HTML: UTF-8, Russian with English alongside, a plain
// form that works without JavaScript, no script and nothing loaded from elsewhere. Every value
// that comes from a request or the store is escaped here, and nowhere else builds this HTML.
import type { ConsentPage } from "../../../domain/oauth/consent.ts";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f4f6; color: #1a1a1a; }
main { max-width: 34rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; }
h1 { font-size: 1.35rem; margin-top: 0; }
h2 { font-size: 1.05rem; margin-bottom: .25rem; }
.en { color: #666; font-size: .9rem; margin-top: 0; }
code { background: #f0f0f3; padding: 0 .25rem; border-radius: 3px; word-break: break-all; }
dt { font-weight: 600; } dd { margin: 0 0 .5rem 0; }
select { font: inherit; width: 100%; padding: .35rem; margin: .25rem 0 1rem; }
button { font: inherit; padding: .5rem 1.25rem; margin-right: .5rem; border-radius: 6px; border: 1px solid #999; cursor: pointer; }
button[value=approve] { background: #0a7cff; color: #fff; border-color: #0a7cff; }
.error { border-left: 4px solid #d33; padding-left: 1rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function consentPageHtml({ request, accounts, moreAccounts }: ConsentPage): string {
  const { app } = request;
  const scopes = request.scopes
    .map((s) => `<li><code>${escapeHtml(s.scope)}</code> — ${escapeHtml(s.description)}</li>`)
    .join("\n");
  const options = accounts
    .map((a) => `<option value="${a.id}">${escapeHtml(a.name)} (user_id ${a.id})</option>`)
    .join("\n");
  const carried = Object.entries(request.parameters)
    .map(([name, value]) => hidden(name, value))
    .join("\n");
  const accountNote =
    accounts.length === 0
      ? `<p>В песочнице нет аккаунтов. <span class="en">The sandbox has no accounts: create one with <code>POST /sandbox/v1/accounts</code>.</span></p>`
      : moreAccounts
        ? `<p class="en">Only the ${accounts.length} newest accounts are listed; a code for any other comes from <code>POST /sandbox/v1/authorization-codes</code>.</p>`
        : "";
  return page(
    `Доступ для «${app.name}»`,
    `<h1>Приложение «${escapeHtml(app.name)}» запрашивает доступ</h1>
<p class="en">The app “${escapeHtml(app.name)}” asks for access to an account.</p>
<dl>
<dt>client_id</dt><dd><code>${escapeHtml(app.clientId)}</code></dd>
<dt>После ответа вы вернётесь на <span class="en">(you will be sent back to)</span></dt><dd><code>${escapeHtml(request.redirectUri)}</code></dd>
</dl>
<h2>Разрешения <span class="en">(scopes)</span></h2>
<ul>
${scopes}
</ul>
<form method="post" action="/oauth">
${carried}
<h2><label for="user_id">Войти как <span class="en">(act as the sandbox account)</span></label></h2>
<select id="user_id" name="user_id" required>
<option value="" disabled selected>— выберите аккаунт / choose an account —</option>
${options}
</select>
${accountNote}
<button type="submit" name="decision" value="approve">Разрешить (Approve)</button>
<button type="submit" name="decision" value="deny" formnovalidate>Отказать (Deny)</button>
</form>
<p class="en">Beseda sandbox: no password is asked; choosing an account is signing in as it.</p>`,
  );
}

export function errorPageHtml(
  status: number,
  message: string,
  fields: Readonly<Record<string, string>> = {},
): string {
  const reasons = Object.entries(fields)
    .map(([name, reason]) => `<li><code>${escapeHtml(name)}</code>: ${escapeHtml(reason)}</li>`)
    .join("\n");
  return page(
    `Ошибка ${status}: ${message}`,
    `<div class="error">
<h1>Запрос на доступ отклонён <span class="en">(the authorization request is refused)</span></h1>
<p><strong>${escapeHtml(message)}</strong> <span class="en">(HTTP ${status})</span></p>
${reasons === "" ? "" : `<ul>\n${reasons}\n</ul>`}
</div>
<p class="en">You were not sent back to the app: a request that fails these checks may not name
a place that is the app's, so Beseda redirects nowhere (RFC 6749, section 4.1.2.1). Fix the
link that brought you here and open it again.</p>`,
  );
}
