// Distress signals in a household's message: an eviction, utilities cut off, "I can't pay", despair
// or thoughts of self-harm. A match opens an urgent case at once and answers with the emergency
// numbers, so the lists prefer phrases to single words ("pagare" alone is no distress).
//
// Matching works on normalised text: lower case, accents and other marks removed, apostrophes and
// punctuation turned into single spaces ("Non ce la faccio più!" → "non ce la faccio piu").
// A phrase is words separated by spaces; `word*` matches any ending (sfratt* → sfratto, sfrattati),
// `*word` any beginning (for Arabic's attached articles and conjunctions), `~` up to three words of
// any kind in between, and `a|b` either word.

export const DISTRESS_CATEGORIES = ["self_harm", "despair", "eviction", "utilities", "cant_pay"] as const;
/** Most serious first: self-harm comes before everything else. */
export type DistressCategory = (typeof DISTRESS_CATEGORIES)[number];

type Phrases = Record<DistressCategory, string[]>;

const ITALIAN: Phrases = {
  self_harm: [
    "farla finita",
    "la faccio finita",
    "falla finita",
    "togliermi la vita",
    "togliersi la vita",
    "toglierci la vita",
    "suicid*",
    "uccidermi",
    "ammazzarmi",
    "voglio morire",
    "vorrei morire",
    "meglio morire",
    "meglio morto",
    "meglio morta",
    "non voglio piu vivere",
    "non ha piu senso vivere",
    "farmi del male",
    "buttarmi ~ ponte|finestra|sotto|treno|balcone",
  ],
  despair: [
    "non ce la faccio piu",
    "non ce la facciamo piu",
    "non ne posso piu",
    "non ne possiamo piu",
    "sono disperat*",
    "siamo disperat*",
    "disperazione",
    "non so piu cosa fare",
    "non so piu che fare",
    "non vedo via d uscita",
    "nessuna via d uscita",
    "senza speranza",
  ],
  eviction: [
    "sfratt*",
    "ufficiale giudiziari*",
    "esecuzione ~ rilascio",
    "ingiunzione ~ rilascio",
    "butta* fuori ~ casa",
    "buttat* fuori",
    "cacciat* ~ casa",
    "perdere la casa",
    "perdo la casa",
    "perdiamo la casa",
    "finire in strada",
    "finiremo in strada",
    "in mezzo alla strada",
  ],
  utilities: [
    "luce|gas|acqua|corrente|riscaldamento|contatore ~ staccat*",
    "staccat* ~ luce|gas|acqua|corrente|riscaldamento|contatore",
    "luce|gas|acqua|corrente ~ tagliat*",
    "tagliat* ~ luce|gas|acqua|corrente",
    "distacco",
    "distacchi",
    "sospensione ~ fornitura",
    "fornitura sospesa",
    "contatore sigillat*",
    "senza luce",
    "senza gas",
    "senza acqua",
    "senza corrente",
    "senza riscaldamento",
  ],
  cant_pay: [
    "non riesc* a pagare",
    "non riesc* piu a pagare",
    "non riusciamo a pagare",
    "non riusciamo piu a pagare",
    "non riusciro a pagare",
    "non posso pagare",
    "non posso piu pagare",
    "non possiamo pagare",
    "non possiamo piu pagare",
    "non potro pagare",
    "non potremo pagare",
    "non ce la faccio a pagare",
    "non ce la facciamo a pagare",
    "non so come pagare",
    "impossibile pagare",
    "non ho soldi",
    "non ho i soldi",
    "non ho piu soldi",
    "non abbiamo soldi",
    "non abbiamo i soldi",
    "non abbiamo piu soldi",
    "senza soldi",
    "senza un euro",
    "non ho un euro",
  ],
};

const ENGLISH: Phrases = {
  self_harm: [
    "kill myself",
    "killing myself",
    "suicid*",
    "end my life",
    "end it all",
    "take my own life",
    "want to die",
    "wanna die",
    "better off dead",
    "hurt myself",
    "self harm",
  ],
  despair: [
    "can t take it anymore",
    "cannot take it anymore",
    "can t go on",
    "cannot go on",
    "i m desperate",
    "we re desperate",
    "desperate",
    "hopeless",
    "no way out",
  ],
  eviction: [
    "evict*",
    "bailiff*",
    "kick* us out",
    "kick* me out",
    "thrown out",
    "lose ~ home|house|flat|apartment",
    "homeless",
  ],
  utilities: [
    "electricity|power|gas|water|heating ~ disconnected|cut",
    "electricity|power|gas|water|heating ~ shut off",
    "cut off ~ electricity|power|gas|water|heating",
    "disconnect* ~ electricity|power|gas|water",
    "no electricity",
    "no heating",
  ],
  cant_pay: [
    "can t pay",
    "cant pay",
    "cannot pay",
    "can not pay",
    "unable to pay",
    "can t afford",
    "cannot afford",
    "no money",
  ],
};

const FRENCH: Phrases = {
  self_harm: [
    "suicid*",
    "me tuer",
    "en finir",
    "mettre fin a mes jours",
    "envie de mourir",
    "veux mourir",
    "me faire du mal",
  ],
  despair: ["je n en peux plus", "desespere*", "je ne m en sors plus", "plus d espoir", "sans espoir"],
  eviction: ["expulse*", "expulsion", "huissier*", "a la rue", "mis* dehors", "mett* dehors"],
  utilities: [
    "electricite|gaz|eau|courant|chauffage ~ coupe*",
    "coupure ~ electricite|gaz|eau|courant",
    "coupe* ~ electricite|gaz|eau|courant",
    "sans electricite",
    "sans chauffage",
  ],
  cant_pay: [
    "ne peux pas payer",
    "ne pouvons pas payer",
    "peux pas payer",
    "n arrive* pas a payer",
    "n arrive* plus a payer",
    "pas d argent",
    "pas les moyens",
  ],
};

const SPANISH: Phrases = {
  self_harm: [
    "suicid*",
    "matarme",
    "quitarme la vida",
    "acabar con todo",
    "acabar con mi vida",
    "quiero morir*",
    "hacerme dano",
  ],
  despair: [
    "ya no puedo mas",
    "no puedo mas",
    "no aguanto mas",
    "desesperad*",
    "sin salida",
    "sin esperanza",
  ],
  eviction: ["desahuci*", "desaloj*", "nos echan", "echar* de casa"],
  utilities: [
    "luz|gas|agua|corriente|calefaccion ~ cortad*",
    "cort* ~ luz|gas|agua|corriente",
    "sin luz",
    "sin calefaccion",
    "sin agua",
  ],
  cant_pay: [
    "no puedo pagar",
    "no podemos pagar",
    "no consigo pagar",
    "no tengo dinero",
    "no tenemos dinero",
    "no me alcanza",
  ],
};

const ROMANIAN: Phrases = {
  self_harm: [
    "sinucid*",
    "sa ma omor",
    "ma omor",
    "imi iau viata",
    "vreau sa mor",
    "sa-mi fac rau",
    "sa mi fac rau",
  ],
  despair: ["nu mai pot", "nu mai suport", "disperat*", "fara speranta"],
  eviction: ["evacua*", "executor*", "evictiune", "ne da afara", "dat* afara din casa"],
  utilities: [
    "curent*|gaz*|apa|caldura ~ taiat*",
    "taiat* ~ curent*|gaz*|apa|caldura",
    "debransat*",
    "fara curent",
    "fara caldura",
    "fara gaz",
  ],
  cant_pay: [
    "nu pot plati",
    "nu pot sa platesc",
    "nu putem plati",
    "nu putem sa platim",
    "nu am bani",
    "n am bani",
    "nu avem bani",
  ],
};

const ALBANIAN: Phrases = {
  self_harm: ["vetevras*", "vetvras*", "vras veten", "dua te vdes", "jap fund jetes", "t i jap fund"],
  despair: ["nuk duroj me", "nuk e duroj me", "deshperuar", "pa shprese"],
  eviction: ["debim*", "debojne", "permbarues*", "nxjerr* ~ shtepi*"],
  utilities: [
    "prer* ~ drita*|energji*|gaz*|uj*",
    "drita*|energji*|gaz*|uj* ~ prer*",
    "pa drita",
    "pa energji",
    "pa ngrohje",
  ],
  cant_pay: [
    "nuk mund te paguaj*",
    "nuk paguaj dot",
    "nuk kam para",
    "nuk kemi para",
    "s kam para",
    "s kemi para",
  ],
};

const UKRAINIAN: Phrases = {
  self_harm: [
    "самогубств*",
    "суїцид*",
    "вбити себе",
    "убити себе",
    "покінчити з собою",
    "покінчу з собою",
    "хочу померти",
    "не хочу жити",
  ],
  despair: ["більше не можу", "не витримую", "відчай*", "безнадія", "безвихідь"],
  eviction: ["висел*", "виконавец*", "виконавц*", "вижен*", "вигна* ~ квартир*|дому|житла"],
  utilities: [
    "відключ* ~ світло|газ|воду|вода|електрик*|опалення",
    "світло|газ|воду|вода|електрик*|опалення ~ відключ*",
    "відрізали",
    "без світла",
    "без опалення",
    "без газу",
  ],
  cant_pay: [
    "не можу ~ платити|сплатити|заплатити|оплатити",
    "не можемо ~ платити|сплатити|заплатити|оплатити",
    "немає грошей",
    "нема грошей",
    "немає коштів",
  ],
};

const ARABIC: Phrases = {
  self_harm: ["*انتحار", "*انتحر*", "اقتل نفسي", "انهي حياتي", "اريد ان اموت", "بدي موت", "اؤذي نفسي"],
  despair: ["لم اعد احتمل", "ما عدت احتمل", "يائس", "يائسه", "لا استطيع التحمل", "تعبت من الحياه"],
  // Not "طرد" alone: it is also a parcel.
  eviction: ["*اخلاء", "*يطردون*", "طردونا", "طردنا", "*المحضر"],
  utilities: [
    "*قطع* ~ *الكهرباء|*الغاز|*الماء|*المياه",
    "*الكهرباء|*الغاز|*الماء|*المياه ~ *مقطوع*",
    "بدون كهرباء",
    "بلا كهرباء",
    "بدون تدفئه",
  ],
  cant_pay: [
    "لا استطيع ~ الدفع|دفع|السداد|سداد",
    "لا اقدر ~ الدفع|دفع|السداد|سداد",
    "ما بقدر ادفع",
    "ما اقدر ادفع",
    "ليس لدي مال",
    "ليس لدينا مال",
    "ما عندي فلوس",
    "ما معي مصاري",
  ],
};

/** Lower case, marks removed, Arabic letter variants folded, anything but letters and digits a space. */
export function normalizeForDistress(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[أإآ]/g, "ا")
    .replace(/ة/g, "ه")
    .replace(/ى/g, "ي")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function wordPattern(word: string): string {
  const alternatives = word.split("|").map((alternative) => {
    const start = alternative.startsWith("*") ? "\\S*" : "";
    const end = alternative.endsWith("*") ? "\\S*" : "";
    const core = normalizeForDistress(alternative.replace(/^\*|\*$/g, ""));
    return `${start}${escapeRegExp(core).replace(/ /g, " ")}${end}`;
  });
  return alternatives.length === 1 ? (alternatives[0] ?? "") : `(?:${alternatives.join("|")})`;
}

function phrasePattern(phrase: string): string {
  const words = phrase.split(" ").filter((w) => w !== "");
  return words
    .map((w) => (w === "~" ? "(?: \\S+){0,3}" : ` ${wordPattern(w)}`))
    .join("")
    .slice(1);
}

function compile(languages: Phrases[]): Record<DistressCategory, RegExp> {
  const out = {} as Record<DistressCategory, RegExp>;
  for (const category of DISTRESS_CATEGORIES) {
    const patterns = languages.flatMap((phrases) => phrases[category]).map(phrasePattern);
    // Tokens are separated by single spaces, so a phrase must start and end at a space or an edge.
    out[category] = new RegExp(`(?:^| )(?:${patterns.join("|")})(?= |$)`, "u");
  }
  return out;
}

/** Every language's phrases at once: people often write in Italian mixed with their own language. */
const MATCHERS = compile([ITALIAN, ENGLISH, FRENCH, SPANISH, ROMANIAN, ALBANIAN, UKRAINIAN, ARABIC]);

/** The distress categories a message shows, most serious first; empty when none. */
export function detectDistress(text: string): DistressCategory[] {
  const normalized = normalizeForDistress(text);
  if (normalized === "") return [];
  return DISTRESS_CATEGORIES.filter((category) => MATCHERS[category].test(normalized));
}
