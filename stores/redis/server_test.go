package redis

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

// The tests run against a real redis-server that each test starts on a
// free loopback port (never 6379), in a temporary directory, with
// --appendonly yes and --save '', and kills at its end. Without a
// redis-server binary (on PATH or at /usr/bin/redis-server) they skip,
// saying why, unless COOKIESESSION_REDIS=required (CI), where they fail.

// redisServer is one redis-server process the test controls.
type redisServer struct {
	t      testing.TB
	bin    string
	dir    string
	port   int
	cmd    *exec.Cmd
	log    *bytes.Buffer
	exited chan struct{}
}

func redisBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server"
	}
	if os.Getenv("COOKIESESSION_REDIS") == "required" {
		t.Fatal("COOKIESESSION_REDIS=required but no redis-server binary (apt-get install redis-server)")
	}
	t.Skip("no redis-server binary on PATH or at /usr/bin/redis-server (apt-get install redis-server); set COOKIESESSION_REDIS=required to fail instead")
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRedis starts a redis-server for the test and stops it at the end.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	s := &redisServer{t: t, bin: redisBinary(t), dir: t.TempDir()}
	var err error
	for try := 0; try < 3; try++ {
		s.port = freePort(t)
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	return s
}

// newRedisAt returns a stopped server for a port chosen now; Start starts it.
func newRedisAt(t testing.TB) *redisServer {
	t.Helper()
	s := &redisServer{t: t, bin: redisBinary(t), dir: t.TempDir(), port: freePort(t)}
	t.Cleanup(s.Kill)
	return s
}

func (s *redisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Start starts the server again (same port, same directory: the append
// only file brings back what it held).
func (s *redisServer) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *redisServer) start() error {
	s.log = &bytes.Buffer{}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", "yes", "--save", "",
		"--daemonize", "no", "--logfile", "")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(ch chan struct{}) { _ = cmd.Wait(); close(ch) }(s.exited)
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("redis-server exited at start: %s", s.log.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("redis-server not ready within 10 s: %s", s.log.String())
}

// Stop shuts the server down as an operator would (SIGTERM: the append
// only file is flushed), waiting for it to exit.
func (s *redisServer) Stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.Kill()
		s.t.Fatal("redis-server did not stop within 10 s")
	}
	s.cmd = nil
}

// Kill kills the server at once, if it runs.
func (s *redisServer) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
	s.cmd = nil
}

// Client returns a client of the server with short timeouts, closed at the
// end of the test.
func (s *redisServer) Client() *goredis.Client {
	return newTestClient(s.t, s.Addr())
}

func newTestClient(t testing.TB, addr string) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{
		Addr:         addr,
		DialTimeout:  500 * time.Millisecond,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		MaxRetries:   -1,
		PoolSize:     16,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// AOF is the path of the server's append only directory, for a test that
// checks persistence is on.
func (s *redisServer) AOF() string { return filepath.Join(s.dir, "appendonlydir") }

// proxy is a loopback TCP proxy in front of a redis-server, which a test
// can cut to make one replica lose Redis while the others keep it.
type proxy struct {
	t      testing.TB
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, time.Second)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// Cut closes every connection through the proxy and refuses new ones.
func (p *proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
	p.mu.Unlock()
}

// Restore lets connections through again.
func (p *proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}
