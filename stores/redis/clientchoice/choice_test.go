package clientchoice

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

func startRedis(b *testing.B) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("COOKIESESSION_REDIS") == "required" {
			b.Fatal("no redis-server")
		}
		b.Skip("no redis-server binary on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", b.TempDir(), "--save", "", "--appendonly", "no", "--logfile", "")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // none left behind by a panic
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return addr
		}
	}
	b.Fatal("redis-server not ready")
	return ""
}

const entries = 100000

func seed(b *testing.B, rdb *goredis.Client) {
	ctx := context.Background()
	for i := 0; i < entries; i += 1000 {
		pipe := rdb.Pipeline()
		for j := i; j < i+1000; j++ {
			pipe.Set(ctx, fmt.Sprintf("r:s:session-%032d", j), "1", time.Hour)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	addr := startRedis(b)
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr})
	defer rdb.Close()
	seed(b, rdb)

	b.Run("goredis-local-view", func(b *testing.B) {
		view := make(map[string]int64, entries)
		for j := 0; j < entries; j++ {
			view[fmt.Sprintf("session-%032d", j)] = 1
		}
		users := map[string]int64{}
		id := fmt.Sprintf("session-%032d", 4242)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if view[id] == 0 || users["tom"] != 0 {
				b.Fatal("wrong")
			}
		}
	})
	b.Run("goredis-GET-round-trip", func(b *testing.B) {
		key := fmt.Sprintf("r:s:session-%032d", 4242)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := rdb.Get(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})

	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	lookup := func(id, user string) {
		res := rc.DoMultiCache(ctx,
			rueidis.CT(rc.B().Get().Key("r:s:"+id).Cache(), time.Minute),
			rueidis.CT(rc.B().Get().Key("r:u:"+user).Cache(), time.Minute))
		for _, r := range res {
			if err := r.Error(); err != nil && !rueidis.IsRedisNil(err) {
				b.Fatal(err)
			}
		}
	}
	b.Run("rueidis-CSC-hit", func(b *testing.B) {
		id := fmt.Sprintf("session-%032d", 4242)
		lookup(id, "tom")
		for _, r := range rc.DoMultiCache(ctx,
			rueidis.CT(rc.B().Get().Key("r:s:"+id).Cache(), time.Minute),
			rueidis.CT(rc.B().Get().Key("r:u:tom").Cache(), time.Minute)) {
			if !r.IsCacheHit() {
				b.Fatal("not answered from the client-side cache")
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			lookup(id, "tom")
		}
	})
	b.Run("rueidis-CSC-hit-single-key", func(b *testing.B) {
		key := fmt.Sprintf("r:s:session-%032d", 4242)
		_ = rc.DoCache(ctx, rc.B().Get().Key(key).Cache(), time.Minute)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r := rc.DoCache(ctx, rc.B().Get().Key(key).Cache(), time.Minute); !r.IsCacheHit() {
				b.Fatal("not a cache hit")
			}
		}
	})
	b.Run("rueidis-CSC-miss", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			// A session this server has not seen yet: the first request
			// of every session on every server.
			lookup(fmt.Sprintf("new-%d-%d", b.N, i), fmt.Sprintf("user-%d-%d", b.N, i))
		}
	})
}
