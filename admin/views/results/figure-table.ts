// A section's figures as a table of name, value and one-line definition, each row marked with
// data-figure="<section>.<key>": every section's, awareness and arrears included.
import type { Translate } from "../../../core/i18n.ts";
import { html, type SafeHtml } from "../html.ts";

/**
 * `rows`: [key, value as shown, definition?]; the name is `<section>.<key>`, the definition
 * `<section>.<key>Def` unless given (one with values filled in, such as the hours of a deadline).
 */
export function figureTable(
  r: Translate,
  section: string,
  rows: readonly (readonly [string, string] | readonly [string, string, string])[],
): SafeHtml {
  return html`<table>
<caption class="sr">${r(`${section}.title`)}</caption>
<thead><tr><th scope="col">${r("figure")}</th><th scope="col" class="num">${r("value")}</th><th scope="col">${r("definition")}</th></tr></thead>
<tbody>${rows.map(
    ([key, value, definition]) =>
      html`<tr data-figure="${section}.${key}"><th scope="row">${r(`${section}.${key}`)}</th><td class="num" data-label="${r("value")}">${value}</td><td data-label="${r("definition")}">${definition ?? r(`${section}.${key}Def`)}</td></tr>`,
  )}</tbody></table>`;
}
