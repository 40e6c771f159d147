// Liveness for load balancers and monitoring: answers only when the database does.
import type { FastifyInstance } from "fastify";
import type { AdminContext } from "../context.ts";

export function healthRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get("/health", async (request, reply) => {
    try {
      await ctx.db.$queryRaw`SELECT 1`;
      return reply.code(200).send({ ok: true });
    } catch (error) {
      request.log.warn({ err: error }, "health check: database unreachable");
      return reply.code(503).send({ ok: false });
    }
  });
}
