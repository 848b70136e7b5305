// Command compare runs the benchmarks of the bench module and prints the
// benchstat table, then the ratios that issues 3 and 13 set targets for:
// each implementation and scenario over bare, gorilla/sessions over
// cookiesession, the codecs and requests over the floors composed from the
// primitives (BenchmarkPrimitive), each target marked met or MISSED. With
// -load it also runs a load test on loopback: one small server per
// implementation, driven by wrk (or, without wrk, a Go client), in bounded
// runs that alternate the implementations, reporting req/s and each
// server's CPU time, allocation and GC cycles per request; -load-profile
// keeps each server's CPU and allocation profiles and its gctrace.
//
//	cd bench && go run ./compare            # about 7 minutes
//	cd bench && go run ./compare -load      # plus about 3 minutes of load
//	cd bench && go run ./compare -strict    # exit status 1 if a target of issue 13 is missed
//
// The benchmark binary is run -count times over all benchmarks, so that the
// implementations alternate and a noisy neighbour slows all of them alike.
// benchstat is installed with go install if it is not found.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cookiesession/cookiesession/bench"
)

// benchstatVersion is the golang.org/x/perf version installed when
// benchstat is not on the PATH or in GOBIN.
const benchstatVersion = "v0.0.0-20260908200009-22c9c6c9d4da"

func main() {
	var (
		count     = flag.Int("count", 6, "runs of every benchmark (benchstat wants at least 6)")
		benchtime = flag.String("benchtime", "500ms", "go test -benchtime of each run")
		benchRE   = flag.String("bench", ".", "go test -bench pattern")
		cpus      = flag.String("cpu", "", "go test -cpu list of GOMAXPROCS values (default: the machine's)")
		out       = flag.String("o", "", "file for the raw benchmark output (default: a temporary file)")
		load      = flag.Bool("load", false, "also run the loopback load test")
		loadOnly  = flag.Bool("load-only", false, "run only the loopback load test")
		loadTime  = flag.Duration("load-duration", 8*time.Second, "length of one load run")
		rounds    = flag.Int("load-rounds", 2, "load runs per implementation, alternating")
		conns     = flag.Int("load-conns", 32, "concurrent connections of the load test")
		scenario  = flag.String("load-scenario", bench.Read, "scenario of the load test: untouched, read or write")
		serve     = flag.String("serve", "", "serve this implementation on loopback (the load test's server), until stdin closes")
		cpuprof   = flag.String("cpuprofile", "", "with -serve: write a CPU profile of the server to this file")
		memprof   = flag.String("memprofile", "", "with -serve: write an allocation profile of the server to this file when it stops")
		profDir   = flag.String("load-profile", "", "write each load server's CPU profile, allocation profile and GODEBUG=gctrace=1 output into this folder")
		loadImpls = flag.String("load-impls", "", "comma-separated implementations of the load test (default: all; bare is always included)")
		strict    = flag.Bool("strict", false, "exit with status 1 if a target of issue 13 is missed")
	)
	flag.Parse()
	log.SetFlags(0)
	if *serve != "" {
		serveImpl(*serve, *scenario, *cpuprof, *memprof)
		return
	}
	var targets []target
	var res map[string]result
	if !*loadOnly {
		res = runBenchmarks(*count, *benchtime, *benchRE, *cpus, *out)
		targets = printFloors(res)
	}
	if *load || *loadOnly {
		targets = append(targets, runLoad(*loadTime, *rounds, *conns, *scenario, *profDir, *loadImpls, res)...)
	}
	if len(targets) > 0 {
		missed := printVerdicts(targets)
		if *strict && missed > 0 {
			os.Exit(1)
		}
	}
}

// benchDir is the bench module's folder, where go test runs.
func benchDir() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Dir(filepath.Dir(file))
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
	}
	return "."
}

func runBenchmarks(count int, benchtime, benchRE, cpus, out string) map[string]result {
	dir := benchDir()
	tmp, err := os.MkdirTemp("", "cookiesession-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	run(dir, os.Stderr, "go", "test", "-c", "-o", bin, ".")
	if out == "" {
		out = filepath.Join(tmp, "bench.txt")
	}
	var raw bytes.Buffer
	for i := 1; i <= count; i++ {
		fmt.Fprintf(os.Stderr, "benchmark round %d of %d\n", i, count)
		args := []string{"-test.run=^$", "-test.bench=" + benchRE, "-test.benchmem", "-test.count=1", "-test.benchtime=" + benchtime}
		if cpus != "" {
			args = append(args, "-test.cpu="+cpus)
		}
		run(dir, &raw, bin, args...)
	}
	if err := os.WriteFile(out, raw.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("# machine: %s/%s, %d CPUs, %s; %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), cpuName(raw.Bytes()))
	fmt.Printf("# %d rounds of -benchtime=%s; raw output in %s\n\n", count, benchtime, out)
	run(dir, os.Stdout, benchstat(), out)
	fmt.Println()
	res := parse(raw.Bytes())
	printRatios(res)
	return res
}

func cpuName(raw []byte) string {
	if m := regexp.MustCompile(`(?m)^cpu: (.*)$`).FindSubmatch(raw); m != nil {
		return string(m[1])
	}
	return "cpu unknown"
}

// run runs a command in dir, its output to w, and stops on failure.
func run(dir string, w io.Writer, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
}

// benchstat returns the benchstat command, installing it if need be.
func benchstat() string {
	if p, err := exec.LookPath("benchstat"); err == nil {
		return p
	}
	gobin, _ := exec.Command("go", "env", "GOBIN").Output()
	dir := strings.TrimSpace(string(gobin))
	if dir == "" {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		dir = filepath.Join(strings.TrimSpace(strings.Split(string(gopath), string(os.PathListSeparator))[0]), "bin")
	}
	p := filepath.Join(dir, "benchstat")
	if _, err := os.Stat(p); err != nil {
		fmt.Fprintf(os.Stderr, "installing benchstat into %s\n", dir)
		run(".", os.Stderr, "go", "install", "golang.org/x/perf/cmd/benchstat@"+benchstatVersion)
	}
	return p
}

// A result is the median of one benchmark's runs.
type result struct{ ns, bytes, allocs float64 }

var lineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) B/op\s+([\d.]+) allocs/op`)

// parse returns the median ns/op, B/op and allocs/op of every benchmark.
func parse(raw []byte) map[string]result {
	samples := map[string][][3]float64{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		var s [3]float64
		for i := range s {
			s[i], _ = strconv.ParseFloat(m[i+2], 64)
		}
		samples[m[1]] = append(samples[m[1]], s)
	}
	res := map[string]result{}
	for name, ss := range samples {
		med := func(i int) float64 {
			v := make([]float64, len(ss))
			for j := range ss {
				v[j] = ss[j][i]
			}
			return median(v)
		}
		res[name] = result{med(0), med(1), med(2)}
	}
	return res
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func printRatios(res map[string]result) {
	req := func(impl, sc string) (result, bool) {
		r, ok := res["Request/"+impl+"/"+sc]
		return r, ok
	}
	fmt.Println("## Request: median per op, and the ratio to bare in the same scenario")
	fmt.Printf("%-20s %-10s %10s %8s %8s %9s %9s\n", "impl", "scenario", "ns/op", "B/op", "allocs", "× bare", "+allocs")
	for _, im := range bench.Impls {
		for _, sc := range bench.Scenarios {
			r, ok := req(im.Name, sc)
			b, okb := req("bare", sc)
			if !ok || !okb {
				continue
			}
			fmt.Printf("%-20s %-10s %10.0f %8.0f %8.0f %9.3f %+9.0f\n", im.Name, sc, r.ns, r.bytes, r.allocs, r.ns/b.ns, r.allocs-b.allocs)
		}
	}
	fmt.Println()
	fmt.Println("## gorilla/sessions over cookiesession (time per request; > 1: cookiesession is faster)")
	fmt.Printf("%-20s %-10s %10s %10s %10s\n", "gorilla", "scenario", "/ base64", "/ jwt", "/ fernet")
	for _, g := range []string{"gorilla-hash", "gorilla-hash-block"} {
		for _, sc := range []string{bench.Read, bench.Write} {
			gr, ok := req(g, sc)
			if !ok {
				continue
			}
			fmt.Printf("%-20s %-10s", g, sc)
			for _, cs := range []string{"base64", "jwt", "fernet"} {
				if r, ok := req(cs, sc); ok {
					fmt.Printf(" %10.2f", gr.ns/r.ns)
				} else {
					fmt.Printf(" %10s", "-")
				}
			}
			fmt.Println()
		}
	}
	fmt.Println()
	fmt.Println("## Floors (median per op)")
	names := []string{}
	for name := range res {
		if strings.HasPrefix(name, "Floor/") || strings.HasPrefix(name, "Decode/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		r := res[name]
		fmt.Printf("%-34s %10.0f ns/op %8.0f B/op %6.0f allocs/op\n", name, r.ns, r.bytes, r.allocs)
	}
	fmt.Println()
	printLikeWithLike(res)
	fmt.Println()
	printTargets(res)
	fmt.Println()
}

// printLikeWithLike compares cookiesession's decoding with the floors that
// do the same work: Decode (validate and split, values kept raw) with the
// split floor, and reading every value with the full floor, which parses
// every value into map[string]any.
func printLikeWithLike(res map[string]result) {
	fmt.Println("## Like with like (time of cookiesession over time of the floor; < 1: cookiesession is faster)")
	for _, cs := range []string{"jwt", "fernet"} {
		for _, p := range [][3]string{
			{"Decode/cookiesession-" + cs, "Floor/" + cs + "-naive-split", "validate and split"},
			{"Decode/cookiesession-" + cs + "-read-all", "Floor/" + cs + "-naive", "every value parsed"},
		} {
			ours, ok1 := res[p[0]]
			floor, ok2 := res[p[1]]
			if ok1 && ok2 {
				fmt.Printf("%-6s %-19s %-38s / %-26s %6.2f×  (allocs %.0f / %.0f)\n", cs, p[2], p[0], p[1], ours.ns/floor.ns, ours.allocs, floor.allocs)
			}
		}
	}
}

// printTargets checks the targets of issue 3 on these figures.
func printTargets(res map[string]result) {
	fmt.Println("## Targets of issue 3")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	get := func(name string) (result, bool) { r, ok := res[name]; return r, ok }
	if g, ok1 := get("Request/gorilla-hash/untouched"); ok1 {
		if b, ok2 := get("Request/bare/untouched"); ok2 {
			// gorilla has no middleware: its untouched handler is bare's.
			fmt.Printf("noise gauge: gorilla-hash untouched runs the same code as bare: %.3f× bare\n", g.ns/b.ns)
		}
	}
	if c, ok1 := get("Request/context-only/untouched"); ok1 {
		if b, ok2 := get("Request/bare/untouched"); ok2 {
			fmt.Printf("reference: context-only untouched (WithValue + WithContext, nothing else): %.3f× bare, %+.0f allocs\n", c.ns/b.ns, c.allocs-b.allocs)
		}
	}
	for _, cs := range []string{"base64", "jwt", "fernet"} {
		r, ok1 := get("Request/" + cs + "/untouched")
		b, ok2 := get("Request/bare/untouched")
		if ok1 && ok2 {
			ok := r.ns <= 1.05*b.ns && r.allocs <= b.allocs+1
			fmt.Printf("%-7s untouched within 5%% of bare, ≤ 1 extra alloc: %.3f×, %+.0f allocs: %s\n", cs, r.ns/b.ns, r.allocs-b.allocs, verdict(ok))
		}
	}
	for _, cs := range []string{"jwt", "fernet"} {
		r, ok1 := get("Request/" + cs + "/read")
		b, ok2 := get("Request/bare/read")
		f, ok3 := get("Floor/" + cs + "-naive")
		g, ok4 := get("Request/gorilla-hash/read")
		if ok1 && ok2 && ok3 {
			lim := 1.2 * (b.ns + f.ns)
			fmt.Printf("%-7s read ≤ 1.2 × (bare + naive floor) = %.0f ns: %.0f ns (%.2f of the limit): %s\n", cs, lim, r.ns, r.ns/lim, verdict(r.ns <= lim))
			fmt.Printf("%-7s read beats bare + naive floor (%.0f ns): %.0f ns: %s\n", cs, b.ns+f.ns, r.ns, verdict(r.ns <= b.ns+f.ns))
		}
		if ok1 && ok2 {
			fmt.Printf("%-7s read ≤ bare + 15 allocs: %+.0f: %s\n", cs, r.allocs-b.allocs, verdict(r.allocs <= b.allocs+15))
		}
		if ok1 && ok4 {
			fmt.Printf("%-7s read ≥ 5× faster than gorilla-hash: %.2f×: %s\n", cs, g.ns/r.ns, verdict(g.ns >= 5*r.ns))
		}
	}
	for _, cs := range []string{"base64", "jwt", "fernet"} {
		r, ok1 := get("Request/" + cs + "/write")
		g, ok2 := get("Request/gorilla-hash/write")
		if ok1 && ok2 {
			fmt.Printf("%-7s write ≥ 5× faster than gorilla-hash: %.2f×: %s\n", cs, g.ns/r.ns, verdict(g.ns >= 5*r.ns))
		}
	}
}

// serveImpl serves one implementation on a loopback port and prints the
// address and the cookie to send, then serves until its stdin closes.
// When it stops it prints one line of runtime metrics (serverMetrics) and
// writes the profiles asked for.
func serveImpl(name, scenario, cpuprofile, memprofile string) {
	im, ok := bench.ImplByName(name)
	if !ok {
		log.Fatalf("unknown implementation %q", name)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	cookie := ""
	if v := im.CookieValue(); v != "" {
		cookie = bench.CookieName + "=" + v
	}
	srv := &http.Server{Handler: im.Handler(scenario), ErrorLog: log.New(io.Discard, "", 0)}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	before := readMetrics()
	fmt.Printf("%s %s\n", ln.Addr(), cookie)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		log.Print(err)
	}
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	after := readMetrics()
	for i := range after {
		after[i] -= before[i]
	}
	fmt.Println(strings.Trim(fmt.Sprint(after), "[]"))
	if memprofile != "" {
		f, err := os.Create(memprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}
}

// serverMetrics are the runtime/metrics a load server reports when it
// stops, as differences over the time it served.
var serverMetrics = []string{
	"/gc/heap/allocs:bytes",
	"/gc/heap/allocs:objects",
	"/gc/cycles/total:gc-cycles",
}

func readMetrics() []float64 {
	samples := make([]metrics.Sample, len(serverMetrics))
	for i, n := range serverMetrics {
		samples[i].Name = n
	}
	metrics.Read(samples)
	out := make([]float64, len(samples))
	for i, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			out[i] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			out[i] = s.Value.Float64()
		}
	}
	return out
}

// A loadRun is what one load run measured.
type loadRun struct {
	rps       float64
	cpuPerReq float64   // server user + system µs per request (rusage)
	metrics   []float64 // serverMetrics over the run, nil if not reported
	requests  float64   // requests the load generator counted
}

func runLoad(d time.Duration, rounds, conns int, scenario, profDir, only string, res map[string]result) []target {
	impls := bench.Impls
	if only != "" {
		impls = nil
		for _, im := range bench.Impls {
			if im.Name == "bare" || slices.Contains(strings.Split(only, ","), im.Name) {
				impls = append(impls, im)
			}
		}
	}
	wrk, err := exec.LookPath("wrk")
	tool := "wrk -t1 -c" + strconv.Itoa(conns)
	if err != nil {
		wrk = ""
		tool = fmt.Sprintf("Go client, %d connections (no wrk on PATH: apt-get install wrk)", conns)
	}
	fmt.Printf("\n## Load on loopback: scenario %s, %s, %d runs of %v per implementation, alternating\n", scenario, tool, rounds, d)
	if up, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("# load average before: %s", up)
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	if profDir != "" {
		if err := os.MkdirAll(profDir, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	runs := map[string][]loadRun{}
	for round := 0; round < rounds; round++ {
		for _, im := range impls {
			prefix := ""
			if profDir != "" {
				prefix = filepath.Join(profDir, fmt.Sprintf("%s-%s-%d", im.Name, scenario, round+1))
			}
			lr := loadOnce(self, wrk, im.Name, scenario, d, conns, prefix)
			fmt.Fprintf(os.Stderr, "load round %d %-20s %10.0f req/s %8.2f µs server CPU/req\n", round+1, im.Name, lr.rps, lr.cpuPerReq)
			runs[im.Name] = append(runs[im.Name], lr)
		}
	}
	if up, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("# load average after: %s", up)
	}
	// The server's CPU time per request (user + system, from its rusage) is
	// less sensitive than req/s to whatever else the machine is running;
	// "bare/impl CPU" is the throughput ratio the CPU cost alone implies.
	med := func(name string, f func(loadRun) float64) float64 {
		var v []float64
		for _, r := range runs[name] {
			v = append(v, f(r))
		}
		return median(v)
	}
	rps := func(r loadRun) float64 { return r.rps }
	cpu := func(r loadRun) float64 { return r.cpuPerReq }
	perReq := func(i int, scale float64) func(loadRun) float64 {
		return func(r loadRun) float64 {
			if r.metrics == nil || r.requests == 0 {
				return 0
			}
			return r.metrics[i] * scale / r.requests
		}
	}
	bare, bareCPU := med("bare", rps), med("bare", cpu)
	fmt.Printf("%-20s %10s %7s %10s %8s %9s %8s %9s   %s\n", "impl", "req/s", "× bare", "CPU µs/req", "bare/CPU", "B/req", "allocs", "GC/1k req", "req/s of each run")
	for _, im := range impls {
		each := make([]string, len(runs[im.Name]))
		for i, r := range runs[im.Name] {
			each[i] = strconv.FormatFloat(r.rps, 'f', 0, 64)
		}
		m, c := med(im.Name, rps), med(im.Name, cpu)
		fmt.Printf("%-20s %10.0f %7.3f %10.2f %8.3f %9.0f %8.1f %9.2f   %s\n", im.Name, m, m/bare, c, bareCPU/c,
			med(im.Name, perReq(0, 1)), med(im.Name, perReq(1, 1)), med(im.Name, perReq(2, 1000)), strings.Join(each, " "))
	}
	fmt.Println("(CPU: the server's user + system time per request; B/req, allocs: its heap allocation per request; GC/1k req: its GC cycles per 1000 requests)")
	var ts []target
	if scenario == bench.Read {
		for _, cs := range []string{"jwt", "fernet"} {
			if len(runs[cs]) == 0 {
				continue
			}
			r := med(cs, rps) / bare
			fig := fmt.Sprintf("%.3f× (CPU per request: %.3f× bare's", r, med(cs, cpu)/bareCPU)
			// A server at the floor: bare's CPU, what one response
			// header costs on a real server (header-only), and the
			// decode floor measured in the loop.
			dec, okd := floorOf(res, decodeRecipes[cs])
			if okd && len(runs["header-only"]) > 0 {
				atFloor := med("header-only", cpu) + dec/1000
				fig += fmt.Sprintf("; a server at the floor, %.2f µs, would give %.3f× on CPU", atFloor, bareCPU/atFloor)
			}
			ts = append(ts, target{name: "under wrk, " + cs + " read ≥ 0.85× bare req/s", figure: fig + ")", ok: r >= 0.85})
		}
	}
	return ts
}

// loadOnce starts a server for one implementation and measures its
// requests per second over d, the server's CPU time per request in µs and
// its runtime metrics. With a profile prefix, the server writes its CPU
// and allocation profiles and its gctrace beside it.
func loadOnce(self, wrk, name, scenario string, d time.Duration, conns int, prefix string) (lr loadRun) {
	args := []string{"-serve", name, "-load-scenario", scenario}
	cmd := exec.Command(self)
	cmd.Stderr = os.Stderr
	if prefix != "" {
		args = append(args, "-cpuprofile", prefix+".cpu.pprof", "-memprofile", prefix+".alloc.pprof")
		trace, err := os.Create(prefix + ".gctrace")
		if err != nil {
			log.Fatal(err)
		}
		defer trace.Close()
		cmd.Stderr = trace
		cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	}
	cmd.Args = append(cmd.Args, args...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	defer func() {
		stdin.Close()
		if line, err := out.ReadString('\n'); err == nil {
			for _, f := range strings.Fields(line) {
				v, _ := strconv.ParseFloat(f, 64)
				lr.metrics = append(lr.metrics, v)
			}
			if len(lr.metrics) != len(serverMetrics) {
				lr.metrics = nil
			}
		}
		cmd.Wait()
		if st := cmd.ProcessState; st != nil && lr.requests > 0 {
			lr.cpuPerReq = float64((st.UserTime()+st.SystemTime())/time.Nanosecond) / 1e3 / lr.requests
		}
	}()
	line, err := out.ReadString('\n')
	if err != nil {
		log.Fatalf("server %s: %v", name, err)
	}
	addr, cookie, _ := strings.Cut(strings.TrimSpace(line), " ")
	url := "http://" + addr + "/"
	if wrk != "" {
		args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--timeout", "2s"}
		if cookie != "" {
			args = append(args, "-H", "Cookie: "+cookie)
		}
		var out bytes.Buffer
		c := exec.Command(wrk, append(args, url)...)
		c.Stdout, c.Stderr = &out, os.Stderr
		if err := c.Run(); err != nil {
			log.Fatalf("wrk: %v", err)
		}
		if m := regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)`).FindSubmatch(out.Bytes()); m != nil {
			log.Fatalf("%s: %s non-2xx responses", name, m[1])
		}
		m := regexp.MustCompile(`(?m)^Requests/sec:\s+([\d.]+)`).FindSubmatch(out.Bytes())
		if m == nil {
			log.Fatalf("wrk output: %s", out.Bytes())
		}
		lr.rps, _ = strconv.ParseFloat(string(m[1]), 64)
		if m := regexp.MustCompile(`(?m)^\s*(\d+) requests in`).FindSubmatch(out.Bytes()); m != nil {
			lr.requests, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		return lr
	}
	lr.rps, lr.requests = goClient(url, cookie, d, conns)
	return lr
}

// goClient is the load generator without wrk: conns goroutines, each with
// a keep-alive connection, sending GETs until d has passed (and at most
// ten million requests in all).
func goClient(url, cookie string, d time.Duration, conns int) (rps, requests float64) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			for ctx.Err() == nil && n.Load() < 10_000_000 {
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		log.Fatalf("%d requests failed", failed.Load())
	}
	return float64(n.Load()) / time.Since(start).Seconds(), float64(n.Load())
}
