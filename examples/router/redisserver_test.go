package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The tests named TestFleet... and TestRedis... and the Redis benchmark
// run against a real redis-server each starts on a free loopback port
// (never 6379), in a temporary directory, with --appendonly yes and
// --save '', and kill at their end. Without a redis-server binary (on PATH
// or at /usr/bin/redis-server) they skip, saying why, unless
// COOKIESESSION_REDIS=required (CI), where they fail.

// redisServer is one redis-server process a test controls.
type redisServer struct {
	tb     testing.TB
	bin    string
	dir    string
	port   int
	mu     sync.Mutex // guards cmd, exited, log
	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer
}

// redisBinary returns the redis-server to run, or skips (fails with
// COOKIESESSION_REDIS=required) when there is none.
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
	tb.Skip("no redis-server binary on PATH or at /usr/bin/redis-server (apt-get install redis-server); set COOKIESESSION_REDIS=required to fail instead")
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRedis starts a redis-server for the test and kills it at the end.
func startRedis(tb testing.TB) *redisServer {
	tb.Helper()
	s := &redisServer{tb: tb, bin: redisBinary(tb), dir: tb.TempDir()}
	var err error
	for try := 0; try < 3; try++ {
		s.port = freePort(tb)
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Kill)
	return s
}

// Addr is the server's host:port.
func (s *redisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Start starts the server again after Stop: same port, same directory, so
// the append only file brings back what it held.
func (s *redisServer) Start() error { return s.start() }

func (s *redisServer) start() error {
	log := &bytes.Buffer{}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", "yes", "--save", "",
		"--daemonize", "no", "--logfile", "")
	cmd.Stdout, cmd.Stderr = log, log
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited, s.log = cmd, exited, log
	s.mu.Unlock()
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited at start: %s", log.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
	}
	s.Kill()
	return fmt.Errorf("redis-server not ready within 10 s: %s", log.String())
}

// Stop shuts the server down as an operator would (SIGTERM: the append
// only file is flushed) and waits for it to exit.
func (s *redisServer) Stop() error {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return nil
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		return fmt.Errorf("redis-server did not stop within 10 s")
	}
}

// Kill kills the server at once, if it runs.
func (s *redisServer) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
	}
}

// AOFFiles lists the files of the server's append only directory, to
// show that persistence is on.
func (s *redisServer) AOFFiles() []string {
	matches, _ := filepath.Glob(filepath.Join(s.dir, "appendonlydir", "*"))
	return matches
}
