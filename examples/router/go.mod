module github.com/cookiesession/cookiesession/examples/router

go 1.24

require (
	github.com/cookiesession/cookiesession v0.0.0
	github.com/cookiesession/cookiesession/stores/redis v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

// Builds in this repository use the modules beside this one; a user's build
// ignores replace lines of a dependency's go.mod (see RELEASING.md).
replace (
	github.com/cookiesession/cookiesession => ../..
	github.com/cookiesession/cookiesession/stores/redis => ../../stores/redis
)
