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

describe("errors in logs", () => {
  function capture() {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { logger: createLogger({ level: "trace", name: "bussola", destination: sink }), lines };
  }

  it("keeps an error's kind, message, codes and frames, and nothing it carries, at any depth", () => {
    const { logger, lines } = capture();
    // As grammY builds them: BotError.ctx holds the update and our member with their household;
    // GrammyError.payload the text we tried to send.
    const telegram = Object.assign(
      new Error("Call to 'sendMessage' failed! (400: Bad Request: chat not found)"),
      {
        error_code: 400,
        method: "sendMessage",
        description: "Bad Request: chat not found",
        payload: { chat_id: 1, text: "Famiglia Colombo, devi 1.234,56 €" },
      },
    );
    let deep: Record<string, unknown> = { fiscalCode: "CLMMRA75C12B157K" };
    for (let i = 0; i < 10; i++) deep = { level: deep };
    const botError = Object.assign(new Error("wrapped"), {
      error: telegram,
      ctx: { update: { message: { text: "segreto" } }, member: { household: deep } },
    });
    logger.error({ err: botError, updateId: 9 }, "update failed");
    logger.warn({ error: telegram }, "other key");
    logger.error(botError, "as first argument");
    const text = lines.join("");
    for (const secret of ["CLMMRA75C12B157K", "segreto", "Famiglia Colombo", "1.234,56"]) {
      expect(text).not.toContain(secret);
    }
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry.updateId).toBe(9);
    expect(entry.err.type).toBe("Error");
    expect(entry.err.message).toBe("wrapped");
    expect(entry.err.cause).toMatchObject({
      message: expect.stringContaining("chat not found"),
      error_code: 400,
    });
    expect(entry.err.stack).toMatch(/^at /);
    expect(JSON.parse(lines[1] ?? "{}").error.method).toBe("sendMessage");
  });

  it("leaves out the message of database errors, which may quote values, and keeps their code", () => {
    const { logger, lines } = capture();
    class DatabaseError extends Error {}
    const pg = Object.assign(new DatabaseError('invalid input syntax for type bigint: "CLMMRA75C12B157K"'), {
      name: "error",
      severity: "ERROR",
      code: "22P02",
      detail: "Key (fiscalCode)=(CLMMRA75C12B157K) already exists.",
    });
    const prisma = Object.assign(
      new Error("Invalid `prisma.member.update()` invocation: { firstName: 'Maria' }"),
      {
        name: "PrismaClientValidationError",
      },
    );
    logger.error({ err: pg }, "db");
    logger.error({ err: prisma }, "db");
    const text = lines.join("");
    expect(text).not.toContain("CLMMRA75C12B157K");
    expect(text).not.toContain("Maria");
    expect(JSON.parse(lines[0] ?? "{}").err).toMatchObject({ type: "DatabaseError", errorCode: "22P02" });
    expect(JSON.parse(lines[1] ?? "{}").err.type).toBe("PrismaClientValidationError");
  });

  it("cuts a long message short", () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error(`x${"y".repeat(5000)}`) }, "long");
    expect(JSON.parse(lines[0] ?? "{}").err.message.length).toBeLessThanOrEqual(300);
  });
});
