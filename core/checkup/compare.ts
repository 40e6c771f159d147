// What the household reads after a check-up: a few kind sentences from what changed since its last
// completed round, and one or two next steps (a course, the budget, a person). Pure: keys and the
// steps only; the bot turns the keys into the person's language (locales/<lang>/checkup.json).
import { type CheckupAnswers, type CheckupQuestionKey, rank } from "./questions.ts";

export const NEXT_STEPS = ["operator", "budget", "courses"] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

export type CheckupFeedback = {
  /** checkup.json keys, in order (each under "feedback."). */
  sentences: string[];
  /** At most two, most useful first. */
  steps: NextStep[];
};

/** The comparable questions, in the order their changes are told. */
const TOLD: readonly CheckupQuestionKey[] = ["confidence", "budget", "debt", "papers", "support", "care"];
const MAX_BETTER = 2;
const MAX_WORSE = 1;

export function checkupFeedback(current: CheckupAnswers, previous: CheckupAnswers | null): CheckupFeedback {
  const sentences: string[] = [];
  if (previous === null) {
    sentences.push("first");
  } else {
    const better: string[] = [];
    const worse: string[] = [];
    for (const key of TOLD) {
      const now = rank(key, current[key]);
      const before = rank(key, previous[key]);
      if (now === null || before === null || now === before) continue;
      (now < before ? better : worse).push(key);
    }
    for (const key of better.slice(0, MAX_BETTER)) sentences.push(`better.${key}`);
    // A harder answer is told gently, and only one: the point is the next step, not a list.
    for (const key of worse.slice(0, MAX_WORSE)) sentences.push(`worse.${key}`);
    if (better.length === 0 && worse.length === 0) sentences.push("same");
  }
  sentences.push("thanks");
  return { sentences, steps: nextSteps(current) };
}

function nextSteps(a: CheckupAnswers): NextStep[] {
  const wanted = new Set<NextStep>();
  if (
    a.confidence === "not_very" ||
    a.confidence === "not_at_all" ||
    a.support === "nobody" ||
    a.debt === "not_really" ||
    a.papers === "dont_know" ||
    a.papers === "some_missing"
  ) {
    wanted.add("operator");
  }
  if (a.budget === "just_about" || a.budget === "not_enough" || a.difficulty === "money")
    wanted.add("budget");
  if (a.training === "yes" || a.training === "maybe" || a.work === "looking") wanted.add("courses");
  return NEXT_STEPS.filter((step) => wanted.has(step)).slice(0, 2);
}
