import { describe, expect, it } from "vitest";
import { SEED_TIPS } from "../core/budget/tips.ts";
import { readLocales } from "../core/i18n.ts";

/**
 * One voice (locales/STYLE.md): the Italian texts speak with the informal "tu" of Italy's public
 * digital services and never assume the reader, or the person who helps them, is a man. This scans
 * every Italian value for the slips that crept in before, and names file and key of each.
 */

const locales = readLocales();
const italian = locales.it ?? {};

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

/**
 * The formal register of the other household languages (locales/STYLE.md §1): French «vous», Spanish
 * «usted», Ukrainian «ви», Albanian «ju», the same in every file. These are the informal forms that
 * crept into a namespace translated on its own. Each list is conservative: a word only the informal
 * register uses, or an imperative where it can only be one (at the start of a sentence).
 */
const LETTER = "\\p{L}'’";
const word = (words: string) => new RegExp(`(?<![${LETTER}])(${words})(?![${LETTER}])`, "iu");
/** An imperative opens the text, a sentence or a line; in mid-sentence the same word is often a statement. */
const opening = (words: string) => new RegExp(`(?:^|[.!?:;¡¿]\\s+|\\n)(${words})(?![${LETTER}])`, "iu");

const INFORMAL: Record<string, Rule[]> = {
  fr: [
    {
      // Hyphens are allowed before the word, for "inscris-toi"; "ta", "tes" inside a word are not matched.
      pattern: new RegExp(`(?<![\\p{L}'’])(tu|toi|te|ton|ta|tes)(?![${LETTER}])`, "iu"),
      why: "«tu», «toi», «ton», «ta», «tes» are the informal register: «vous», «votre», «vos»",
    },
    {
      pattern: /(?<![\p{L}])t['’](?=[aeiouyhàâéèêëîïôû])/iu,
      why: "«t'» («je t'écris») is the informal register: «je vous écris»",
    },
    {
      pattern: opening(
        "appuie|écris|regarde|choisis|mets|envoie|tape|réponds|attends|reviens|vérifie|inscris",
      ),
      why: "an imperative with «tu»: «Appuyez», «Écrivez», «Regardez»",
    },
    { pattern: /\bappuie sur\b/iu, why: "«appuie sur» addresses the reader with «tu»: «appuyez sur»" },
  ],
  es: [
    {
      // "tu" is never formal in Spanish: the formal possessive is "su".
      pattern: word(
        "tú|tu|tus|te|ti|contigo|tienes|puedes|quieres|eres|estás|estabas|has|vas|sabes|debes|necesitas|prefieres",
      ),
      why: "a «tú» form: «usted», «su», «le», «tiene», «puede», «quiere», «está»",
    },
    {
      pattern: opening(
        "pulsa|toca|escribe|mira|elige|pon|ponme|apúntate|inscríbete|vuelve|pide|guarda|lee|abre",
      ),
      why: "an imperative with «tú»: «Toque», «Escriba», «Mire», «Elija»",
    },
  ],
  uk: [
    {
      pattern: word("ти|тебе|тобі|тобою|твій|твоя|твоє|твої|твого|твоєї|твоїй|твоїм|твою|твоїх|твоєму"),
      why: "«ти», «твій» are the informal register: «ви», «ваш»",
    },
    {
      pattern: word(
        "натисни|напиши|запиши|обери|вибери|перевір|спробуй|надішли|введи|відкрий|додай|збережи|запитай|скажи|поговори|звернися|зачекай|можеш|хочеш|маєш|знаєш|бачиш",
      ),
      why: "a verb addressed with «ти»: «натисніть», «напишіть», «можете», «хочете»",
    },
  ],
  sq: [
    {
      // Only the «ti» register uses these words ("për ty", "vendi yt", "je", "ke"); "të" and "shkruaj"
      // are left out: they are also the particle and the first person ("do t'ju shkruaj").
      pattern: word("ti|ty|yt|jote|tënd|tënde|tëndin|tënden|je|ke|ishe|kishe"),
      why: "a «ti» form: «ju», «juaj», «jeni», «keni», «ishit»",
    },
    {
      // Buttons may use the short imperative, as Albanian interfaces do («Anulo», «Shiko kurset»);
      // in a sentence the reader is asked with «ju».
      pattern:
        /(?:[.!?:;]\s+|\n)(shkruaj|shiko|zgjidh|dërgo|pyet|kërko|fol|lexo|prit)\s|(?<![\p{L}])shtyp(?![\p{L}])/iu,
      why: "an imperative with «ti» in a sentence: «Shkruani», «Shtypni», «Shikoni»",
    },
    {
      pattern: /(?<![\p{L}])(mund|duhet) t[ëa] \p{L}+sh(?![\p{L}])/iu,
      why: "a verb with «ti» («mund ta anulosh»): «mund ta anuloni»",
    },
  ],
};

function informalViolations(language: string): string[] {
  const found: string[] = [];
  for (const [namespace, tree] of Object.entries(locales[language] ?? {})) {
    if (STAFF_NAMESPACES.has(namespace)) continue;
    for (const [key, text] of flatten(tree)) {
      if (NOT_ADDRESSED.has(`${namespace}.json ${key}`)) continue;
      for (const rule of INFORMAL[language] ?? []) {
        const match = text.match(rule.pattern);
        if (match)
          found.push(`locales/${language}/${namespace}.json ${key}: «${match[0].trim()}» — ${rule.why}`);
      }
    }
  }
  return found;
}

/** The informal texts found before, and formal ones with the same letters that must pass. */
const CAUGHT_INFORMAL: Record<string, string[]> = {
  fr: [
    "🕒 <b>Tu es sur la liste d'attente</b> (numéro {{position}}). Si une place se libère, je t'écris ici.",
    "Tu gardes ta place. Si la nouvelle date ne te convient pas, tu peux annuler ta place dans /courses.",
    "Il y a des places libres : appuie sur Je m'inscris.",
    "Cette rencontre n'aura pas lieu. Écris /courses pour voir les autres dates.",
    "Inscris-toi sur la liste d'attente.",
  ],
  es: [
    "🕒 <b>Estás en la lista de espera</b> (número {{position}}). Si se libera una plaza, te escribo aquí.",
    "Tu plaza se mantiene. Si la nueva fecha no te va bien, puedes cancelar tu plaza en /courses.",
    "Hay plazas libres: pulsa Inscribirme.",
    "Este encuentro no se hará. Escribe /courses para ver las otras fechas.",
    "Has salido de la lista de espera.",
  ],
  uk: [
    "🕒 <b>Ти в списку очікування</b> (номер {{position}}). Якщо звільниться місце, я напишу тобі тут.",
    "Твоє місце зберігається.",
    "Є вільні місця: натисни Записатися.",
    "Можеш записатися в список очікування.",
  ],
  sq: [
    "🕒 <b>Je në listën e pritjes</b> (numri {{position}}). Nëse lirohet një vend, të shkruaj këtu.",
    "Vendi yt mbetet. Nëse data e re nuk të përshtatet, mund ta anulosh vendin te /courses.",
    "Ka një vend për ty: shtyp E marr vendin.",
    "Ky takim nuk do të bëhet. Shkruaj /courses për të parë datat e tjera.",
  ],
};
const PLAIN_FORMAL: Record<string, string[]> = {
  fr: [
    "🕒 <b>Vous êtes sur la liste d'attente</b> (numéro {{position}}). Si une place se libère, je vous écris ici.",
    "Votre place reste. Une tâche, des cartes, la taille : le montant est noté. Quand l'argent arrive, mettez de côté le loyer.",
    "D'accord, à partir de maintenant je vous écris en français. Demande envoyée.",
    "Écrivez /courses. Appuyez sur <b>Je prends la place</b>.",
  ],
  es: [
    "🕒 <b>Está en la lista de espera</b> (número {{position}}). Si se libera una plaza, le escribo aquí.",
    "El personal del programa a veces escribe una nota. Su Telegram sigue vinculado; este importe ya no está.",
    "Toque <b>Tomo la plaza</b>. Escriba /courses. Ha salido de la lista de espera.",
  ],
  uk: [
    "🕒 <b>Ви в списку очікування</b> (номер {{position}}). Якщо звільниться місце, я напишу вам тут.",
    "Натисніть <b>Беру місце</b>. Ваше місце зберігається. Можете записатися. Будь ласка, напишіть кілька слів.",
  ],
  sq: [
    "🕒 <b>Jeni në listën e pritjes</b> (numri {{position}}). Nëse lirohet një vend, ju shkruaj këtu.",
    "Në rregull, tani e tutje do t'ju shkruaj në shqip. Shtypni <b>E marr vendin</b>. Mund ta anuloni vendin.",
    "✖️ Anulo regjistrimin",
  ],
};
const informal = (language: string, text: string) =>
  (INFORMAL[language] ?? []).some((rule) => rule.pattern.test(text));

describe("the register rules of the other household languages", () => {
  for (const language of Object.keys(INFORMAL)) {
    it(`catch the informal register in ${language} and let the formal one through`, () => {
      expect((CAUGHT_INFORMAL[language] ?? []).filter((text) => !informal(language, text))).toEqual([]);
      expect((PLAIN_FORMAL[language] ?? []).filter((text) => informal(language, text))).toEqual([]);
    });
  }
});

describe("one register in French, Spanish, Ukrainian and Albanian (locales/STYLE.md)", () => {
  for (const language of Object.keys(INFORMAL)) {
    it(`speaks to households in ${language} with the formal register only`, () => {
      expect(Object.keys(locales[language] ?? {}).length).toBeGreaterThan(5);
      expect(informalViolations(language)).toEqual([]);
    });
  }
});

/**
 * Who helps, in French and Spanish (locales/STYLE.md): «la personne qui vous suit», «la persona que
 * lleva su caso» — «votre conseiller» and «su asesor» are a man. Checked in the locales and in the
 * seed budget tips, which households read in their language too.
 */
describe("the helper named without a gender in French and Spanish", () => {
  const HELPER: Record<"fr" | "es", RegExp> = {
    fr: /\b(votre|ton|un|le|du|au) (conseiller|référent|assistant social)\b/iu,
    es: /\b(su|tu|un|el|del|al) (asesor|consejero|referente|operador|trabajador social)\b/iu,
  };

  it("catches the slips it is for, and lets the right wording through", () => {
    expect(HELPER.fr.test("parlez-en à votre conseiller")).toBe(true);
    expect(HELPER.fr.test("parlez-en à la personne qui vous suit")).toBe(false);
    expect(HELPER.es.test("hable con su asesor")).toBe(true);
    expect(HELPER.es.test("hable con la persona que lleva su caso")).toBe(false);
  });

  it("in the locales and the seed tips", () => {
    const slips: string[] = [];
    for (const language of ["fr", "es"] as const) {
      for (const [file, tree] of Object.entries(locales[language] ?? {})) {
        if (STAFF_NAMESPACES.has(file.replace(/\.json$/, ""))) continue;
        for (const [key, text] of flatten(tree as Record<string, unknown>)) {
          if (HELPER[language].test(text)) slips.push(`${language}/${file} ${key}: ${text}`);
        }
      }
      for (const tip of SEED_TIPS) {
        if (HELPER[language].test(tip.texts[language]))
          slips.push(`tip ${tip.key} (${language}): ${tip.texts[language]}`);
      }
    }
    expect(slips).toEqual([]);
  });
});
