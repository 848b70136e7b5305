// Package clientchoice holds the benchmark behind the choice of Redis
// client for stores/redis: the per-request cost of the design built on
// each candidate, against a real redis-server. It is a module of its own,
// outside go.work, so that neither candidate becomes a requirement of
// stores/redis. Run it with:
//
//	cd stores/redis/clientchoice && GOWORK=off go test -bench . -benchtime 2s
//
// The candidates:
//   - github.com/redis/go-redis/v9 with a local view (a map kept current by
//     pub/sub): every lookup is a map read. The view itself is the core's
//     MemoryRevocationList, measured in stores/redis (BenchmarkRevoked);
//     here a plain map stands for it, beside a GET round trip.
//   - github.com/redis/rueidis with server-assisted client-side caching:
//     every lookup is DoMultiCache(GET session key, GET user key); a key
//     read before is answered from the client's cache, which Redis
//     invalidates, and a key never read before costs a round trip.
package clientchoice
