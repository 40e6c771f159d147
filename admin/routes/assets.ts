// Static scripts, served from files so the Content-Security-Policy can forbid inline scripts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

const ASSETS_DIR = join(import.meta.dirname, "..", "assets");
const SCRIPTS = new Map(
  ["demo-chat.js", "imports.js", "inbox.js"].map((name) => [
    name,
    readFileSync(join(ASSETS_DIR, name), "utf8"),
  ]),
);

export function assetRoutes(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const script = SCRIPTS.get(request.params.name);
    if (script === undefined) return reply.callNotFound();
    return reply.header("Cache-Control", "no-cache").type("text/javascript; charset=utf-8").send(script);
  });
}
