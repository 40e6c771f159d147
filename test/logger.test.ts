import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../core/logger.ts";

describe("logger", () => {
  it("censors personal fields wherever they appear", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const redacting = createLogger({ level: "info", name: "bussola", destination: sink });
    redacting.info(
      {
        memberId: 7,
        fiscalCode: "CLMMRA75C12B157K",
        household: { name: "Famiglia Colombo", phone: "347" },
        update: { message: { text: "segreto" } },
      },
      "hello",
    );
    const entry = JSON.parse(lines.at(-1) ?? "{}");
    expect(entry.memberId).toBe(7);
    expect(entry.name).toBe("bussola");
    expect(entry.fiscalCode).toBe("[redacted]");
    expect(entry.household).toEqual({ name: "[redacted]", phone: "[redacted]" });
    expect(entry.update.message.text).toBe("[redacted]");
  });
});
