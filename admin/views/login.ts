import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type LoginProblem = "credentials" | "throttled" | "busy" | "expired" | "missing";

/** "30 seconds" or "2 minutes", whichever reads better; the texts pick the plural. */
function waitOf(seconds: number): { context: "seconds" | "minutes"; count: number } {
  return seconds < 90
    ? { context: "seconds", count: seconds }
    : { context: "minutes", count: Math.ceil(seconds / 60) };
}

export function loginPage(
  page: PageInfo,
  form: {
    csrfToken: string;
    email: string;
    next: string | null;
    problem?: LoginProblem;
    retrySeconds?: number;
  },
): SafeHtml {
  const { t } = page;
  const problem = form.problem
    ? html`<p class="error" role="alert">${t(`login.problem.${form.problem}`, waitOf(form.retrySeconds ?? 1))}</p>`
    : "";
  return layout(page, {
    title: t("login.title"),
    body: html`<div class="card narrow">
<h1>${t("login.title")}</h1>
<p class="muted">${t("login.intro")}</p>
${problem}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${form.csrfToken}">
${form.next ? html`<input type="hidden" name="next" value="${form.next}">` : ""}
<label for="email">${t("login.email")}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${form.email}"${
      form.email ? "" : html` autofocus`
    }>
<label for="password">${t("login.password")}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${
      form.email ? html` autofocus` : ""
    }>
<div class="actions"><button type="submit">${t("login.submit")}</button></div>
</form>
</div>`,
  });
}
