module github.com/cookiesession/cookiesession/migrate/gorilla

go 1.23

require (
	github.com/cookiesession/cookiesession v0.0.0-00010101000000-000000000000
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
)

// Builds in this repository use the modules beside this one; a user's build
// ignores replace lines of a dependency's go.mod (see RELEASING.md).
replace github.com/cookiesession/cookiesession => ../..
