// A section's figures as a table of name, value and one-line definition, each row marked with
// data-figure="<section>.<key>" (the same markup as the awareness and arrears tables in ./page.ts).
import type { Translate } from "../../../core/i18n.ts";
import { html, type SafeHtml } from "../html.ts";

/** `rows`: [key, value as shown]; the name is `<section>.<key>`, the definition `<section>.<key>Def`. */
export function figureTable(r: Translate, section: string, rows: readonly [string, string][]): SafeHtml {
  return html`<table>
<caption class="sr">${r(`${section}.title`)}</caption>
<thead><tr><th scope="col">${r("figure")}</th><th scope="col" class="num">${r("value")}</th><th scope="col">${r("definition")}</th></tr></thead>
<tbody>${rows.map(
    ([key, value]) =>
      html`<tr data-figure="${section}.${key}"><th scope="row">${r(`${section}.${key}`)}</th><td class="num" data-label="${r("value")}">${value}</td><td data-label="${r("definition")}">${r(`${section}.${key}Def`)}</td></tr>`,
  )}</tbody></table>`;
}
