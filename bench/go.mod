module github.com/cookiesession/cookiesession/bench

go 1.24

require (
	github.com/cookiesession/cookiesession v0.0.0
	github.com/cookiesession/cookiesession/stores/redis v0.0.0-00010101000000-000000000000
	github.com/fernet/fernet-go v0.0.0-20240119011108-303da6aec611
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/gorilla/sessions v1.4.0
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/gorilla/securecookie v1.1.2 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

// Builds in this repository use the modules beside this one; a user's build
// ignores replace lines of a dependency's go.mod (see RELEASING.md).
replace (
	github.com/cookiesession/cookiesession => ..
	github.com/cookiesession/cookiesession/stores/redis => ../stores/redis
)
