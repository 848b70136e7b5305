package redis_test

import (
	"context"
	"log"
	"time"

	csredis "github.com/cookiesession/cookiesession/stores/redis"
	goredis "github.com/redis/go-redis/v9"
)

// A revocation list shared by every server of a fleet. Without a Redis at
// the address, New returns an error after the context's 5 s.
func Example() {
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6380"})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := csredis.New(ctx, rdb, csredis.Options{
		Grace: 30 * time.Second, // the default; FailOpen false: fail closed after it
	})
	if err != nil {
		log.Fatal(err) // Redis unreachable at start (or bad options)
	}
	defer list.Close()

	// Logout: this session's cookie, replayed later, is refused until it
	// would have expired anyway.
	sessionExpires := time.Now().Add(14 * 24 * time.Hour)
	if err := list.RevokeSession(ctx, "session-id", sessionExpires); err != nil {
		log.Print(err) // enforced here only: Redis unreachable
	}
	// Logout everywhere: every session of tom created up to now.
	if err := list.RevokeUser(ctx, "tom", time.Now(), sessionExpires); err != nil {
		log.Print(err)
	}
}
