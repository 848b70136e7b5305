// Package browsertest drives a real browser, headless Chromium, against the
// session middleware: the router example's login/logout flow, the HttpOnly
// flag as a page's script sees it, and what a browser does with a session
// just under and just over the cookie size limit. It holds tests only, in a
// module of its own so that the core never requires chromedp.
//
// The tests find Chromium as .ci/run does: $CHROMIUM when set (it must then
// name an executable), else the first name listed in the file chromium-names
// (chromium, chromium-browser, google-chrome) found on PATH. Without one they
// skip, saying why, unless COOKIESESSION_BROWSER=required (as .ci/run sets,
// after installing Chromium), where a missing browser fails the test.
package browsertest
