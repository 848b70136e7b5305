module github.com/cookiesession/cookiesession/adapters/chi

go 1.24

require (
	github.com/cookiesession/cookiesession v0.0.0-00010101000000-000000000000
	github.com/go-chi/chi/v5 v5.5.0
)

// Builds in this repository use the modules beside this one; a user's build
// ignores replace lines of a dependency's go.mod (see RELEASING.md).
replace github.com/cookiesession/cookiesession => ../..
