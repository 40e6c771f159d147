import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export function errorPage(page: PageInfo, content: { title: string; message: string }): SafeHtml {
  return layout(page, {
    title: content.title,
    body: html`<div class="card narrow">
<h1>${content.title}</h1>
<p>${content.message}</p>
<p><a href="/">${page.t("error.backHome")}</a></p>
</div>`,
  });
}
