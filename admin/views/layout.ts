// The frame of every page: language, header with navigation, the signed-in person and log-out form.
import { type Translate, translator } from "../../core/i18n.ts";
import { ADMIN_LANGUAGES, type AdminLanguage } from "../lang.ts";
import { html, type SafeHtml, trusted } from "./html.ts";
import { STYLESHEET } from "./styles.ts";

export type PageInfo = {
  t: Translate;
  lang: AdminLanguage;
  /** The requested path and query, for the language links. */
  url: string;
  staff: { email: string; role: string; csrfToken: string } | null;
  demo: boolean;
  /** Cases waiting for an answer that this person sees; null when not counted (signed out). */
  waiting?: number | null;
};

export type NavItem =
  | "mine"
  | "households"
  | "caseload"
  | "deliveries"
  | "cases"
  | "alerts"
  | "imports"
  | "audit"
  | "demo"
  | "savedReplies"
  | "courses";

/** The same page in another language: keeps the path and query, replaces ?lang=. */
function languageHref(url: string, lang: string): string {
  const parsed = new URL(url, "http://local");
  parsed.searchParams.set("lang", lang);
  return `${parsed.pathname}${parsed.search}`;
}

export function layout(
  page: PageInfo,
  content: { title: string; current?: NavItem; body: SafeHtml },
): SafeHtml {
  const { t, staff } = page;
  const navLink = (item: NavItem, href: string, label: string, extra: SafeHtml | string = "") =>
    html`<a href="${href}"${content.current === item ? html` aria-current="page"` : ""}>${label}${extra}</a>`;
  const waiting =
    typeof page.waiting === "number"
      ? html` <span class="badge" id="waiting-count"><span data-count>${page.waiting}</span><span class="sr"> ${t(
          "layout.waiting",
        )}</span></span>`
      : "";
  const languages = ADMIN_LANGUAGES.map(
    (lang) =>
      html`<a href="${languageHref(page.url, lang)}" lang="${lang}" hreflang="${lang}"${
        lang === page.lang ? html` aria-current="true"` : ""
      }>${t(`language.${lang}`)}</a>`,
  );
  return html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${content.title} · ${t("app.name")}</title>
<style>${trusted(STYLESHEET)}</style>
</head>
<body>
<a class="skip" href="#content">${t("layout.skipToContent")}</a>
<header class="top">
<div class="bar">
<a class="brand" href="/">${t("app.name")}</a>
${
  staff
    ? html`<nav class="main" aria-label="${t("layout.navigation")}">
${staff.role === "operator" ? navLink("mine", "/households?worker=mine", translator(page.lang, "offices")("households.mine")) : ""}
${navLink("households", "/households", t("nav.households"))}
${navLink("caseload", "/caseload", t("caseload.nav"))}
${staff.role === "operator" ? "" : navLink("deliveries", "/deliveries", t("deliveries.nav"))}
${navLink("cases", "/cases", t("cases.nav"), waiting)}
${staff.role === "operator" ? "" : navLink("courses", "/courses", translator(page.lang, "coursesAdmin")("nav"))}
${staff.role === "operator" ? "" : navLink("savedReplies", "/saved-replies", t("savedReplies.nav"))}
${staff.role === "operator" ? "" : navLink("alerts", "/alerts", translator(page.lang, "staff")("alerts.nav"))}
${staff.role === "operator" ? "" : navLink("imports", "/imports", t("imports.nav"))}
${staff.role === "admin" ? navLink("audit", "/audit", t("audit.nav")) : ""}
${page.demo && staff.role === "admin" ? navLink("demo", "/demo/chat", t("nav.demoChat")) : ""}
</nav>`
    : ""
}
<div class="who">
<span class="langs" aria-label="${t("layout.language")}">${languages}</span>
${
  staff
    ? html`<span>${t("layout.signedInAs", { email: staff.email, role: t(`role.${staff.role}`) })}</span>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${staff.csrfToken}"><button class="link" type="submit">${t("layout.logout")}</button></form>`
    : ""
}
</div>
</div>
</header>
<main id="content">
${content.body}
</main>
</body>
</html>
`;
}
