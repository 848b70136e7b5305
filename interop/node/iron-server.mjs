// A Next.js-style iron-session handler (getIronSession(req, res, options),
// as in a Pages Router API route) on a plain node:http server, for the live
// interop tests of cookiesession (live_test.go starts it).
//
// IRON_CONFIGS (JSON) names the configurations: {"<name>": {"password":
// "<string>" or {"<id>": "<password>", ...}, "ttl": seconds, "chunk": bool,
// "cookieName": "<name>"}}. Routes, per configuration:
//   POST /<name>/set   the JSON body becomes the session, which is saved
//   GET  /<name>/read  answers {"values": <the session read>, "error": <why
//                      iron-session could not read the cookie, or null>}
// It listens on 127.0.0.1, on a free port, and prints {"port": N} first.
import http from "node:http";
import { getIronSession } from "iron-session";

const configs = JSON.parse(process.env.IRON_CONFIGS ?? "{}");

function options(cfg, onUnsealError) {
  const o = {
    cookieName: cfg.cookieName ?? "session",
    password: cfg.password,
    cookieOptions: { secure: false },
    onUnsealError,
  };
  if (cfg.ttl !== undefined) o.ttl = cfg.ttl;
  if (cfg.chunk) o.chunk = true;
  return o;
}

async function body(req) {
  const parts = [];
  for await (const part of req) parts.push(part);
  return Buffer.concat(parts).toString("utf8");
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    const [, name, action] = url.pathname.split("/");
    const cfg = configs[name];
    if (!cfg) {
      res.writeHead(404).end();
      return;
    }
    let error = null;
    const session = await getIronSession(req, res, options(cfg, (kind, err) => {
      error = `${kind}: ${err.message}`;
    }));
    if (action === "set" && req.method === "POST") {
      const values = JSON.parse(await body(req));
      for (const key of Object.keys(session)) delete session[key];
      Object.assign(session, values);
      await session.save();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    } else if (action === "read") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ values: { ...session }, error }));
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    res.writeHead(500, { "content-type": "text/plain" }).end(String(err?.stack ?? err));
  }
});

server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
