// Budget categories, modelled on the Standard Financial Statement debt advisers use, adapted to Italy.
// The keys are stored in BudgetEntry.category; labels live in locales/<language>/budget.json.

export const BUDGET_KINDS = ["expense", "income"] as const;
export type BudgetKindName = (typeof BUDGET_KINDS)[number];

/** Costs that come back every month at about the same amount. */
export const FIXED_EXPENSES = [
  "rent",
  "service_charges",
  "utilities",
  "phone_internet",
  "transport",
  "health",
  "school_children",
  "insurance",
  "loans",
] as const;

/** Costs a household can steer week by week. */
export const FLEXIBLE_EXPENSES = ["food", "personal_clothing", "leisure", "other"] as const;

export const INCOME_CATEGORIES = [
  "work",
  "pension",
  "inclusion_allowance",
  "child_allowance",
  "benefits",
  "other",
] as const;

export type ExpenseCategory = (typeof FIXED_EXPENSES)[number] | (typeof FLEXIBLE_EXPENSES)[number];
export type IncomeCategory = (typeof INCOME_CATEGORIES)[number];

/**
 * The order of the buttons: what people log most often first (food), then the fixed costs of the home,
 * "other" always last.
 */
export const EXPENSE_BUTTON_ORDER: readonly ExpenseCategory[] = [
  "food",
  "rent",
  "service_charges",
  "utilities",
  "phone_internet",
  "transport",
  "health",
  "school_children",
  "personal_clothing",
  "insurance",
  "loans",
  "leisure",
  "other",
];

export function categoriesOf(kind: BudgetKindName): readonly string[] {
  return kind === "expense" ? EXPENSE_BUTTON_ORDER : INCOME_CATEGORIES;
}

export function isCategory(kind: BudgetKindName, category: string): boolean {
  return categoriesOf(kind).includes(category);
}

export function isKind(value: unknown): value is BudgetKindName {
  return value === "expense" || value === "income";
}

export function isFixedExpense(category: string): boolean {
  return (FIXED_EXPENSES as readonly string[]).includes(category);
}
