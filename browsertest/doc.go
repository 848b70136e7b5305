// Package browsertest drives a real browser, headless Chromium, against the
// session middleware: the router example's login/logout flow, the HttpOnly
// flag as a page's script sees it, what a browser does with a session just
// under and just over the cookie size limit, flash messages across a form's
// POST, a 303 redirect and the GET that follows, sessions of several chunk
// cookies (plain and compressed) and the expiry of chunks no longer
// needed, a "__Host-" session cookie over HTTPS, and a Partitioned (CHIPS)
// cookie at top level and in a cross-site iframe. It holds tests only, in a
// module of its own so that the core never requires chromedp.
//
// The HTTPS tests serve a certificate for 127.0.0.1 and localhost that the
// test makes itself, and start Chromium with
// --ignore-certificate-errors-spki-list set to that certificate's key hash:
// the browser accepts that one certificate as valid, and no other. The
// servers are httptest servers inside the test process; the cookie store
// is read through the DevTools protocol (Storage.getCookies), as the
// browser keeps it.
//
// The tests find Chromium as .ci/run does: $CHROMIUM when set (it must then
// name an executable), else the first name listed in the file chromium-names
// (chromium, chromium-browser, google-chrome) found on PATH. Without one they
// skip, saying why, unless COOKIESESSION_BROWSER=required (as .ci/run sets,
// after installing Chromium), where a missing browser fails the test.
package browsertest
