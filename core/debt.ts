import type { Db } from "./db/client.ts";

export type ArrearsSummary = {
  rentCents: number;
  chargesCents: number;
  totalCents: number;
  /** The date of the authority's figures. */
  balanceDate: Date;
};

/** The latest arrears the authority's accounting stated for the household, or null if none yet. */
export async function currentArrears(db: Db, householdId: number): Promise<ArrearsSummary | null> {
  const balance = await db.arrearsBalance.findFirst({
    where: { householdId },
    orderBy: { balanceDate: "desc" },
  });
  if (!balance) return null;
  return {
    rentCents: balance.rentCents,
    chargesCents: balance.chargesCents,
    totalCents: balance.rentCents + balance.chargesCents,
    balanceDate: balance.balanceDate,
  };
}
