import { describe, expect, it } from "vitest";
import { readLocales } from "../core/i18n.ts";

/**
 * One voice (locales/STYLE.md): the Italian texts speak with the informal "tu" of Italy's public
 * digital services and never assume the reader, or the person who helps them, is a man. This scans
 * every Italian value for the slips that crept in before, and names file and key of each.
 */

const italian = readLocales().it ?? {};

/** Namespaces read by staff (admin panel, operators' group); every other one is read by households. */
const STAFF_NAMESPACES = new Set(["admin", "staff", "offices", "accounts", "coursesAdmin"]);

function flatten(tree: Record<string, unknown>, prefix = ""): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.push([path, value]);
    else if (value && typeof value === "object") out.push(...flatten(value as Record<string, unknown>, path));
  }
  return out;
}

/**
 * Keys that are not sentences addressed to anyone: words the bot recognises in what people type
 * ("pagato, pagata"), not words it says.
 */
const NOT_ADDRESSED = new Set(["budget.json words.expense", "budget.json words.income"]);

type Rule = { pattern: RegExp; why: string; households?: true };

/** Masculine defaults: each one assumes the reader, or a helper, is a man. */
const MASCULINE: Rule[] = [
  {
    // "Non sei solo", "sei sicuro?", "sei collegato": an adjective agreeing with "tu" has a gender.
    pattern:
      /\b(sei|ti sei|sarai|eri|resti|rimani)\s+(stat[oa]\s+)?(sol[oa]|sicur[oa]|pront[oa]|collegat[oa]|iscritt[oa]|registrat[oa]|arrivat[oa]|benvenut[oa]|nuov[oa]|convint[oa]|tranquill[oa]|preoccupat[oa]|sposat[oa]|obbligat[oa]|tenut[oa])\b/i,
    why: "an adjective or participle agreeing with «tu» has a gender: rephrase (e.g. «Non devi affrontarlo senza aiuto», «Il tuo Telegram è collegato»)",
  },
  {
    // The salutations that open letters to a man: "Benvenuto", "Caro".
    pattern: /\b(benvenut[oi]|car[oi]|gentile (utente|cliente|signore))\b/i,
    why: "a salutation with a gender: say «Ciao» or nothing",
  },
  {
    // "il tuo operatore": the person who follows a household may be a woman; name the role instead.
    pattern: /\b(il|al|dal|del|col|con il) tuo (operatore|referente|assistente sociale|consulente)\b/i,
    why: "names the helper as a man: «chi ti segue nel programma», «la persona che segue il tuo caso»",
  },
  {
    // Households read about people, not about "operatori": outside the staff panel the word is a man.
    pattern: /\b(operator[ei]|coordinator[ei]|utent[ei]|inquilin[oi])\b/i,
    why: "households read about people, not a masculine role: «chi ti segue nel programma», «il personale del programma», «una persona»",
    households: true,
  },
  {
    // Staff texts: a person of unknown gender is not "lo"/"gli" ("contattalo", "non gli arrivano").
    pattern:
      /\b(contattal[oi]|avvisal[oi]|chiamal[oi]|scrivigli|rispondigli|aiutal[oi]|non gli|gli (arriva|arrivano|scrivi|rispondi|manda))\b/i,
    why: "a masculine pronoun for a person of unknown gender: name the person or the household (e.g. «contatta il nucleo»)",
  },
  {
    // "segnalato ai coordinatori": in running text a masculine plural for a team; name the function.
    pattern: /\b(ai|dei|gli|agli|i) coordinatori\b/i,
    why: "a masculine plural for a team: «il coordinamento», «chi coordina il programma»",
  },
];

/** The formal register: Italian public services write to people with "tu". */
const FORMAL: Rule[] = [
  {
    // A courtesy pronoun is the only reason for a capital in the middle of a sentence.
    pattern: /(?<=[\p{Ll},;:]\s)(Lei|Suo|Sua|Suoi|Sue|La|Le|Gli)\b/u,
    why: "a courtesy pronoun («Lei», «Suo», «La») in mid-sentence: use «tu», «tuo», «ti»",
  },
  {
    // The letter formulas of the formal register.
    pattern:
      /\b(la preghiamo|la invitiamo|la ringraziamo|la informiamo|le ricordiamo|le comunichiamo|si prega|si rivolga|egregi[oa]|distinti saluti)\b/i,
    why: "a formula of the formal register: say it plainly with «tu» («Scrivi», «Grazie»)",
  },
  {
    // Third-person imperatives ("Scriva", "Prema") are the formal "Lei". Forms that are also a noun
    // or the plain "tu" ("contatti", "controlli", "paghi", "porti", "compili") are left out.
    pattern:
      /\b(scriva|chieda|prema|inserisca|verifichi|riprovi|attenda|legga|tenga|si accomodi)\b(?![\p{L}])/iu,
    why: "a third-person imperative is the formal «Lei»: «Scrivi», «Premi», «Controlla»",
  },
  {
    // "può" with no subject of its own and a verb a reader does ("Può scrivere", "se può chiedere")
    // addresses the reader as "Lei"; "Può succedere", "un avvocato può assisterti" or "il personale
    // può scrivere" are about others and stay.
    pattern:
      /(^|[.!?:\n>]\s*|\b(lei|se|ora|adesso|qui)\s+)(non\s+)?può (scrivere|chiedere|contattar\w*|rivolgersi|pagare|inviare|premere|consultare|accedere|riprovare|cancellare|scaricare|collegarsi)\b/i,
    why: "«può» with an action of the reader is the formal «Lei»: «puoi scrivere», «puoi chiedere»",
  },
];

function violations(rules: Rule[]): string[] {
  const found: string[] = [];
  for (const [namespace, tree] of Object.entries(italian)) {
    const forHouseholds = !STAFF_NAMESPACES.has(namespace);
    for (const [key, text] of flatten(tree)) {
      if (NOT_ADDRESSED.has(`${namespace}.json ${key}`)) continue;
      for (const rule of rules) {
        if (rule.households && !forHouseholds) continue;
        const match = text.match(rule.pattern);
        if (match) found.push(`locales/it/${namespace}.json ${key}: «${match[0]}» — ${rule.why}`);
      }
    }
  }
  return found;
}

/** Each rule catches the slips it is for and lets the plain texts around them through. */
const CAUGHT = [
  "Non sei solo.",
  "Ciao! Sei collegato a <b>Famiglia Rossi</b>.",
  "Sei sicuro di voler annullare?",
  "Benvenuto in Bussola!",
  "Chiedilo al tuo operatore.",
  "Messaggio inviato all'operatore.",
  "Segnalato ai coordinatori.",
  "Dopo, i tuoi messaggi non gli arrivano più.",
  "Contattalo il prima possibile.",
];
const CAUGHT_FORMAL = [
  "Per vedere i dati, La preghiamo di scrivere il codice.",
  "Scriva qui il codice.",
  "Può scrivere qui il suo messaggio.",
  "Controlli il Suo piano di rientro.",
  "Si prega di attendere.",
];
const PLAIN = [
  "Ciao! Il tuo Telegram è collegato a <b>Famiglia Rossi</b>.",
  "Può succedere. Se riesci, pagala appena puoi.",
  "Un avvocato può assisterti gratis.",
  "Solo il personale del programma può scrivere alle famiglie.",
  "🕘 <b>Orari e contatti</b>",
  "Paghi con l'avviso di pagamento che ricevi da ALER.",
  "Chiedilo a chi ti segue nel programma.",
  "Contatta il nucleo in un altro modo; riceverà un messaggio che glielo spiega.",
];

const matches = (rules: Rule[], text: string) => rules.some((rule) => rule.pattern.test(text));

describe("the style rules themselves", () => {
  it("catch the masculine defaults they are for", () => {
    expect(CAUGHT.filter((text) => !matches(MASCULINE, text))).toEqual([]);
  });
  it("catch the formal register", () => {
    expect(CAUGHT_FORMAL.filter((text) => !matches(FORMAL, text))).toEqual([]);
  });
  it("let plain informal, neutral Italian through", () => {
    expect(PLAIN.filter((text) => matches([...MASCULINE, ...FORMAL], text))).toEqual([]);
  });
});

describe("one voice in Italian (locales/STYLE.md)", () => {
  it("reads the Italian locale", () => {
    expect(Object.keys(italian).length).toBeGreaterThan(5);
  });

  it("assumes no gender: no masculine defaults for the reader or the people who help", () => {
    expect(violations(MASCULINE)).toEqual([]);
  });

  it("speaks with the informal «tu», never the formal «Lei»", () => {
    expect(violations(FORMAL)).toEqual([]);
  });
});
