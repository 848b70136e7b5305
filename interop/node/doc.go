// Package node holds the live interoperability tests against the Node
// libraries whose cookies cookiesession reads and writes: iron-session 9
// (Next.js) and Express's cookie-session 2. It has no code of its own
// beyond its tests.
//
// The tests start two Node servers on 127.0.0.1, iron-server.mjs (an
// iron-session handler on node:http, as a Next.js API route would use
// getIronSession) and express-server.mjs (Express 4 with cookie-session),
// and check both directions: cookies the libraries set are opened by the
// formats of internal/format/iron and internal/format/keygrip, and cookies
// those formats make are read by the libraries, with random passwords,
// keys and values on each run (the seed is logged; set
// COOKIESESSION_NODE_SEED to repeat a run), a chunked iron session and
// rotated keys.
//
// The libraries are pinned by package.json and package-lock.json here,
// and installed outside the module tree:
//
//	d=$(mktemp -d) && cp interop/node/package.json interop/node/package-lock.json "$d" && (cd "$d" && npm ci)
//	COOKIESESSION_NODE_MODULES="$d/node_modules" go test ./interop/node/
//
// Without COOKIESESSION_NODE_MODULES (or without node) the tests skip,
// saying why; with COOKIESESSION_NODE=required, as CI sets it, they fail
// instead.
package node
