module github.com/cookiesession/cookiesession/browsertest

go 1.25

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/cookiesession/cookiesession v0.0.0-00010101000000-000000000000
)

require github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect

// Builds in this repository use the modules beside this one; a user's build
// ignores replace lines of a dependency's go.mod (see RELEASING.md).
replace github.com/cookiesession/cookiesession => ..
