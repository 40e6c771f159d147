// Static files: the panel's scripts, served from files so the Content-Security-Policy can forbid
// inline scripts, and Bootstrap Italia's stylesheet and fonts from node_modules (admin/bootstrap-italia.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { BOOTSTRAP_ITALIA_BASE, bootstrapItaliaFiles } from "../bootstrap-italia.ts";

const ASSETS_DIR = join(import.meta.dirname, "..", "assets");
const SCRIPTS = new Map(
  ["demo-chat.js", "imports.js", "inbox.js", "broadcasts.js"].map((name) => [
    name,
    readFileSync(join(ASSETS_DIR, name), "utf8"),
  ]),
);

/** Versioned URLs: kept for a year, never revalidated. */
const IMMUTABLE = "public, max-age=31536000, immutable";

export function assetRoutes(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const script = SCRIPTS.get(request.params.name);
    if (script === undefined) return reply.callNotFound();
    return reply.header("Cache-Control", "no-cache").type("text/javascript; charset=utf-8").send(script);
  });

  const files = bootstrapItaliaFiles();
  app.get<{ Params: { "*": string } }>(`${BOOTSTRAP_ITALIA_BASE}/*`, async (request, reply) => {
    const file = files.get(request.params["*"]);
    if (file === undefined) return reply.callNotFound();
    reply.header("Cache-Control", IMMUTABLE).header("Vary", "Accept-Encoding").type(file.type);
    const accepts = String(request.headers["accept-encoding"] ?? "");
    if (file.gzip !== null && /\bgzip\b/.test(accepts)) {
      return reply.header("Content-Encoding", "gzip").send(file.gzip);
    }
    return reply.send(file.body);
  });
}
