// The frame of every page, in Bootstrap Italia's patterns: skip link, slim header (authority, language,
// the signed-in person and log-out form), centre header (the app), navigation bar (folded under "Menu"
// on a phone, no script), footer.
import { type Translate, translator } from "../../core/i18n.ts";
import { BOOTSTRAP_ITALIA_CSS } from "../bootstrap-italia.ts";
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
  | "staff"
  | "settings"
  | "queues"
  | "account"
  | "courses"
  | "content"
  | "broadcasts"
  | "results"
  | "variants";

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
    html`<li class="nav-item"><a class="nav-link${content.current === item ? " active" : ""}" href="${href}"${
      content.current === item ? html` aria-current="page"` : ""
    }>${label}${extra}</a></li>`;
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
<link rel="stylesheet" href="${BOOTSTRAP_ITALIA_CSS}">
<style>${trusted(STYLESHEET)}</style>
</head>
<body>
<div class="skiplinks"><a class="skip visually-hidden-focusable" href="#content">${t("layout.skipToContent")}</a></div>
<header class="it-header-wrapper top">
<div class="it-header-slim-wrapper">
<div class="container">
<div class="it-header-slim-wrapper-content">
<span class="authority">${t("layout.authority")}</span>
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
</div>
</div>
<div class="it-nav-wrapper">
<div class="it-header-center-wrapper">
<div class="container">
<div class="it-header-center-content-wrapper">
<div class="it-brand-wrapper">
<a class="brand" href="/"><span class="it-brand-title">${t("app.name")}</span><span class="it-brand-tagline">${t(
    "layout.tagline",
  )}</span></a>
</div>
</div>
</div>
</div>
${
  staff
    ? html`<div class="it-header-navbar-wrapper">
<div class="container">
<nav class="main navbar" aria-label="${t("layout.navigation")}">
<details class="menu">
<summary>${t("layout.menu")}</summary>
<ul class="navbar-nav">
${staff.role === "operator" ? navLink("mine", "/households?worker=mine", translator(page.lang, "offices")("households.mine")) : ""}
${navLink("households", "/households", t("nav.households"))}
${navLink("caseload", "/caseload", t("caseload.nav"))}
${staff.role === "operator" ? "" : navLink("deliveries", "/deliveries", t("deliveries.nav"))}
${navLink("cases", "/cases", t("cases.nav"), waiting)}
${staff.role === "operator" ? "" : navLink("courses", "/courses", translator(page.lang, "coursesAdmin")("nav"))}
${staff.role === "operator" ? "" : navLink("broadcasts", "/broadcasts", translator(page.lang, "broadcastsAdmin")("nav"))}
${staff.role === "operator" ? "" : navLink("savedReplies", "/saved-replies", t("savedReplies.nav"))}
${staff.role === "operator" ? "" : navLink("content", "/content", translator(page.lang, "contentAdmin")("nav"))}
${navLink("results", "/results", translator(page.lang, "resultsAdmin")("nav"))}
${staff.role === "operator" ? "" : navLink("variants", "/variants", translator(page.lang, "variantsAdmin")("nav"))}
${staff.role === "operator" ? "" : navLink("alerts", "/alerts", translator(page.lang, "staff")("alerts.nav"))}
${staff.role === "operator" ? "" : navLink("imports", "/imports", t("imports.nav"))}
${staff.role === "admin" ? navLink("audit", "/audit", t("audit.nav")) : ""}
${staff.role === "admin" ? navLink("staff", "/staff", translator(page.lang, "accounts")("nav.staff")) : ""}
${staff.role === "admin" ? navLink("settings", "/settings", translator(page.lang, "accounts")("nav.settings")) : ""}
${staff.role === "admin" ? navLink("queues", "/queues", translator(page.lang, "accounts")("nav.queues")) : ""}
${navLink("account", "/account", translator(page.lang, "accounts")("nav.account"))}
${page.demo && staff.role === "admin" ? navLink("demo", "/demo/chat", t("nav.demoChat")) : ""}
</ul>
</details>
</nav>
</div>
</div>`
    : ""
}
</div>
</header>
<main id="content" class="container">
${content.body}
</main>
<footer class="it-footer">
<div class="it-footer-main">
<div class="container">
<p>${t("app.name")} · ${t("layout.authority")}</p>
</div>
</div>
</footer>
</body>
</html>
`;
}
