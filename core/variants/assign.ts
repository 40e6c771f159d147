// Which wording a member gets: a hash of (experiment id, member id) picks one of the labels, so a
// member stays in one variant for the whole test without a table of assignments (nothing to keep in
// step, nothing to erase), and a new test shuffles members afresh. SHA-256 rather than a modulo of the
// id: consecutive ids (one household's members, one import) spread evenly over the variants.
import { createHash } from "node:crypto";

export function variantOf(experimentId: number, memberId: number, labels: readonly string[]): string {
  const digest = createHash("sha256").update(`${experimentId}:${memberId}`).digest();
  const label = labels[digest.readUInt32BE(0) % labels.length];
  if (label === undefined) throw new Error("an experiment has at least one label");
  return label;
}

/** A text with its {{placeholders}} filled, as i18next fills them (values not escaped: the caller's job). */
export function fillPlaceholders(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
