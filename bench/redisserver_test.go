package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The Redis benchmarks run against a real redis-server that they start
// themselves on a free loopback port (never 6379), in a temporary
// directory, and kill when they end. Without a redis-server binary (on
// PATH or at /usr/bin/redis-server) they skip, saying why, unless
// COOKIESESSION_REDIS=required, where they fail.

// redisServer is one redis-server process a benchmark started.
type redisServer struct {
	cmd    *exec.Cmd
	addr   string
	log    *bytes.Buffer
	exited chan struct{}
}

// redisBinary returns the redis-server to run, or skips the benchmark.
func redisBinary(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	if os.Getenv("COOKIESESSION_REDIS") == "required" {
		tb.Fatal("COOKIESESSION_REDIS=required but no redis-server binary (apt-get install redis-server)")
	}
	tb.Skip("no redis-server binary on PATH or at /usr/bin/redis-server (apt-get install redis-server): the Redis revocation benchmarks need one; set COOKIESESSION_REDIS=required to fail instead")
	return ""
}

// startRedis starts a redis-server on a free loopback port and kills it
// when tb ends.
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	bin := redisBinary(tb)
	dir := tb.TempDir()
	var lastErr error
	for try := 0; try < 3; try++ {
		s, err := tryStartRedis(bin, dir)
		if err == nil {
			tb.Cleanup(s.kill)
			return s
		}
		lastErr = err
	}
	tb.Fatal(lastErr)
	return nil
}

func tryStartRedis(bin, dir string) (*redisServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &redisServer{addr: "127.0.0.1:" + strconv.Itoa(port), log: &bytes.Buffer{}, exited: make(chan struct{})}
	// No persistence: the benchmark's list lives as long as the process.
	s.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	c := goredis.NewClient(&goredis.Options{Addr: s.addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("redis-server exited at start: %s", s.log)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return s, nil
		}
	}
	s.kill()
	return nil, fmt.Errorf("redis-server not ready within 10 s: %s", s.log)
}

// kill stops the server at once and waits for it to exit.
func (s *redisServer) kill() {
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
}

// client returns a client of the server, closed when tb ends.
func (s *redisServer) client(tb testing.TB) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{
		Addr:         s.addr,
		DialTimeout:  time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
		PoolSize:     32,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
