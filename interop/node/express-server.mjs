// An Express 4 app with cookie-session 2 (keygrip keys), for the live
// interop tests of cookiesession (live_test.go starts it).
//
// COOKIE_SESSION_CONFIGS (JSON) names the configurations: {"<name>":
// {"keys": ["<current>", "<older>", ...], "cookieName": "<name>"}}. Routes,
// per configuration:
//   POST /<name>/set   the JSON body becomes req.session
//   GET  /<name>/read  answers {"values": <req.session>, "isNew": bool}
// It listens on 127.0.0.1, on a free port, and prints {"port": N} first.
import express from "express";
import cookieSession from "cookie-session";

const configs = JSON.parse(process.env.COOKIE_SESSION_CONFIGS ?? "{}");
const app = express();
app.use(express.json({ limit: "64kb" }));

for (const [name, cfg] of Object.entries(configs)) {
  const router = express.Router();
  router.use(cookieSession({ name: cfg.cookieName ?? "session", keys: cfg.keys }));
  router.post("/set", (req, res) => {
    req.session = req.body;
    res.json({});
  });
  router.get("/read", (req, res) => {
    res.json({ values: { ...req.session }, isNew: req.session.isNew });
  });
  app.use(`/${name}`, router);
}

app.use((err, req, res, next) => {
  res.status(500).type("text/plain").send(String(err?.stack ?? err));
});

const server = app.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
