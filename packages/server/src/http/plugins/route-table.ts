// Every route the app registers, as registered: method, URL and input schemas. The served
// documents are checked against it (test/sandbox-document.test.ts), so that they cannot drift
// from the routes. Registered before the route groups, whose routes it sees through onRoute.
import type { FastifyInstance, FastifySchema } from "fastify";
import fp from "fastify-plugin";

export interface RegisteredRoute {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
}

declare module "fastify" {
  interface FastifyInstance {
    registeredRoutes: readonly RegisteredRoute[];
  }
}

export const routeTable = fp(
  async (app: FastifyInstance) => {
    const routes: RegisteredRoute[] = [];
    app.decorate("registeredRoutes", routes);
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) {
        routes.push({ method, url: route.url, schema: route.schema });
      }
    });
  },
  { name: "route-table" },
);
