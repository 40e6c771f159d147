// The check-up's questions and answer options, as data: the bot asks them in this order, one button
// per option, and the texts live in locales/<lang>/checkup.json under questions.<key>.text and
// questions.<key>.options.<option>. Options of a question with `better` are ordered from the best
// situation to the hardest, so two rounds can be compared (core/checkup/compare.ts).

export const CHECKUP_ROUNDS = ["entry", "m3", "m9", "m15"] as const;
export type CheckupRoundName = (typeof CHECKUP_ROUNDS)[number];

export type CheckupQuestion = {
  key: string;
  options: readonly string[];
  /** True when the options run from the best situation to the hardest (comparable between rounds). */
  ordered: boolean;
};

export const CHECKUP_QUESTIONS = [
  { key: "debt", options: ["exactly", "roughly", "not_really"], ordered: true },
  { key: "papers", options: ["in_order", "some_missing", "dont_know"], ordered: true },
  { key: "budget", options: ["enough", "just_about", "not_enough"], ordered: true },
  { key: "work", options: ["stable", "occasional", "looking", "cannot_work"], ordered: false },
  { key: "training", options: ["yes", "maybe", "no"], ordered: false },
  { key: "when", options: ["mornings", "afternoons", "evenings", "weekends", "hard_to_say"], ordered: false },
  { key: "care", options: ["none", "some", "a_lot"], ordered: true },
  { key: "support", options: ["family", "services", "nobody"], ordered: true },
  { key: "confidence", options: ["confident", "fairly", "not_very", "not_at_all"], ordered: true },
  {
    key: "difficulty",
    options: ["money", "debt", "papers", "work", "health_care", "housing", "other"],
    ordered: false,
  },
] as const satisfies readonly CheckupQuestion[];

export type CheckupQuestionKey = (typeof CHECKUP_QUESTIONS)[number]["key"];
export type CheckupAnswers = Partial<Record<CheckupQuestionKey, string>>;

export const CHECKUP_QUESTION_COUNT = CHECKUP_QUESTIONS.length;

export function questionAt(index: number): CheckupQuestion | undefined {
  return CHECKUP_QUESTIONS[index];
}

export function isRound(value: unknown): value is CheckupRoundName {
  return typeof value === "string" && (CHECKUP_ROUNDS as readonly string[]).includes(value);
}

/** Only known questions with one of their own options survive (answers come back from JSON). */
export function cleanAnswers(stored: unknown): CheckupAnswers {
  const answers: CheckupAnswers = {};
  if (!stored || typeof stored !== "object" || Array.isArray(stored)) return answers;
  const record = stored as Record<string, unknown>;
  for (const question of CHECKUP_QUESTIONS) {
    const value = record[question.key];
    if (typeof value === "string" && (question.options as readonly string[]).includes(value)) {
      answers[question.key] = value;
    }
  }
  return answers;
}

/** The index of the first question not answered yet; the question count when all are. */
export function nextQuestionIndex(answers: CheckupAnswers): number {
  const index = CHECKUP_QUESTIONS.findIndex((q) => answers[q.key] === undefined);
  return index === -1 ? CHECKUP_QUESTION_COUNT : index;
}

/** Position of an option in an ordered question (0 = best); null when not comparable. */
export function rank(key: CheckupQuestionKey, option: string | undefined): number | null {
  const question = CHECKUP_QUESTIONS.find((q) => q.key === key);
  if (!question?.ordered || option === undefined) return null;
  const index = (question.options as readonly string[]).indexOf(option);
  return index === -1 ? null : index;
}
