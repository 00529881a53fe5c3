// The bench's baseline: a bare Hono "hello" on @hono/node-server, plain node, no middleware. Every
// figure of `npm run bench:api` is a ratio to this, measured in the same run on the same cores.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ hello: "world" }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, () => {
  process.stdout.write("listening\n");
});
