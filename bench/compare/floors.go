package main

// The floors of issue 13, composed from the primitives that
// BenchmarkPrimitive measures on the fixture session's bytes, and its
// targets, checked on the figures of one run.

import (
	"fmt"
	"strings"
)

// decodeRecipes and encodeRecipes list, per session type, the primitives
// (BenchmarkPrimitive/<name>) a codec's Decode or Encode must run at
// least once. Their sum is the type's floor. TestPrimitiveFloors in the
// bench package runs the same steps end to end against the codecs
// (composed-decode/* and composed-encode/*), so that no step is left out.
var (
	decodeRecipes = map[string][]string{
		"base64": {"b64-decode/base64", "json-valid/plain", "json-split/plain"},
		"jwt":    {"b64-decode/jwt-sig", "hmac-sha256/jwt", "b64-decode/jwt-payload", "json-valid/with-exp", "json-split/with-exp"},
		"fernet": {"b64-decode/fernet", "hmac-sha256/fernet", "aes128cbc-decrypt/fernet", "json-valid/plain", "json-split/plain"},
	}
	// readRecipes are the floors of a read request's decode: a session
	// keeps its validated object and finds the one value the handler
	// reads by scanning it, instead of splitting the object.
	readRecipes = map[string][]string{
		"base64": {"b64-decode/base64", "json-valid/plain", "json-lookup/plain"},
		"jwt":    {"b64-decode/jwt-sig", "hmac-sha256/jwt", "b64-decode/jwt-payload", "json-valid/with-exp", "json-lookup/with-exp"},
		"fernet": {"b64-decode/fernet", "hmac-sha256/fernet", "aes128cbc-decrypt/fernet", "json-valid/plain", "json-lookup/plain"},
	}
	encodeRecipes = map[string][]string{
		"base64": {"json-append/plain", "b64-encode/base64"},
		"jwt":    {"json-append/with-exp", "b64-encode/jwt-payload", "hmac-sha256/jwt", "b64-encode/jwt-sig"},
		"fernet": {"json-append/plain", "rand-iv/fernet", "aes128cbc-encrypt/fernet", "hmac-sha256/fernet", "b64-encode/fernet"},
	}
)

// codecTypes are the session types whose floors are composed.
var codecTypes = []string{"base64", "jwt", "fernet"}

// A target is one of issue 13's, with its figure in this run.
type target struct {
	name   string
	figure string
	ok     bool
}

// floorOf sums the medians of a recipe's primitives; ok is false if one
// of them was not measured.
func floorOf(res map[string]result, recipe []string) (ns float64, ok bool) {
	for _, p := range recipe {
		r, found := res["Primitive/"+p]
		if !found {
			return 0, false
		}
		ns += r.ns
	}
	return ns, true
}

// printFloors prints the floors beside the measured figures and returns
// the targets of issue 13 that the benchmarks decide.
func printFloors(res map[string]result) []target {
	get := func(name string) (result, bool) { r, ok := res[name]; return r, ok }
	if _, ok := get("Primitive/hmac-sha256/jwt"); !ok {
		return nil // the primitives were not run (-bench left them out)
	}
	fmt.Println("## Primitive floors (median ns/op of BenchmarkPrimitive, on the fixture session's bytes)")
	for _, cs := range codecTypes {
		for _, rc := range []struct {
			what   string
			recipe []string
		}{{"decode", decodeRecipes[cs]}, {"read-one", readRecipes[cs]}, {"encode", encodeRecipes[cs]}} {
			parts := make([]string, len(rc.recipe))
			for i, p := range rc.recipe {
				parts[i] = fmt.Sprintf("%s %.0f", p, res["Primitive/"+p].ns)
			}
			if f, ok := floorOf(res, rc.recipe); ok {
				fmt.Printf("%-6s %s floor %6.0f ns = %s\n", cs, rc.what, f, strings.Join(parts, " + "))
			}
		}
	}
	for _, n := range []string{"composed-decode/jwt", "composed-decode/fernet", "composed-encode/jwt", "composed-encode/fernet", "cookie-string/jwt", "cookie-string/fernet", "cookie-string/base64"} {
		if r, ok := get("Primitive/" + n); ok {
			fmt.Printf("measured %-24s %6.0f ns %5.0f allocs\n", n, r.ns, r.allocs)
		}
	}
	fmt.Println()

	var ts []target
	add := func(name string, ok bool, format string, args ...any) {
		ts = append(ts, target{name: name, figure: fmt.Sprintf(format, args...), ok: ok})
	}
	fmt.Println("## Codecs and requests against their floors (measured / floor; the read request's floor is bare + the read-one floor, the write request's bare + the decode and encode floors + Cookie.String)")
	fmt.Printf("%-7s %-7s %10s %10s %8s\n", "type", "what", "measured", "floor", "ratio")
	for _, cs := range codecTypes {
		decFloor, okd := floorOf(res, decodeRecipes[cs])
		encFloor, oke := floorOf(res, encodeRecipes[cs])
		dec, ok1 := get("Decode/cookiesession-" + cs)
		enc, ok2 := get("Encode/cookiesession-" + cs)
		if okd && ok1 {
			fmt.Printf("%-7s %-7s %10.0f %10.0f %7.2f×\n", cs, "decode", dec.ns, decFloor, dec.ns/decFloor)
			add(cs+" decode ≤ 2× its primitive floor", dec.ns <= 2*decFloor, "%.0f / %.0f ns = %.2f×", dec.ns, decFloor, dec.ns/decFloor)
		}
		if oke && ok2 {
			fmt.Printf("%-7s %-7s %10.0f %10.0f %7.2f×\n", cs, "encode", enc.ns, encFloor, enc.ns/encFloor)
			add(cs+" encode ≤ 2× its primitive floor", enc.ns <= 2*encFloor, "%.0f / %.0f ns = %.2f×", enc.ns, encFloor, enc.ns/encFloor)
		}
		bareR, okbr := get("Request/bare/read")
		bareW, okbw := get("Request/bare/write")
		read, okr := get("Request/" + cs + "/read")
		write, okw := get("Request/" + cs + "/write")
		if floor, ok := requestFloor(res, cs, "read"); ok && okr {
			fmt.Printf("%-7s %-7s %10.0f %10.0f %7.2f×\n", cs, "read", read.ns, floor, read.ns/floor)
		}
		if floor, ok := requestFloor(res, cs, "write"); ok && okw {
			fmt.Printf("%-7s %-7s %10.0f %10.0f %7.2f×\n", cs, "write", write.ns, floor, write.ns/floor)
		}
		if okbr && okr && ok1 {
			over := read.ns - bareR.ns
			add(cs+" read over bare ≤ decode + 0.5 µs", over <= dec.ns+500, "%.0f ns over bare, limit %.0f + 500 ns (%.2f of it)", over, dec.ns, over/(dec.ns+500))
		}
		if okbw && okw && ok1 && ok2 {
			// The write scenario sends a valid cookie: Set decodes it first
			// (the session keeps its other values), so a write request
			// decodes and encodes.
			over := write.ns - bareW.ns
			add(cs+" write over bare ≤ decode + encode + 1 µs", over <= dec.ns+enc.ns+1000, "%.0f ns over bare, limit %.0f + %.0f + 1000 ns (%.2f of it)", over, dec.ns, enc.ns, over/(dec.ns+enc.ns+1000))
		}
	}
	fmt.Println()
	// The most a request at its floor would give: gorilla's time over
	// bare + the floors of what the request must do.
	for _, cs := range []string{"jwt", "fernet"} {
		for _, sc := range []struct {
			name string
			min  float64
		}{{"read", 10}, {"write", 8}} {
			floor, okf := requestFloor(res, cs, sc.name)
			for _, g := range []string{"gorilla-hash", "gorilla-hash-block"} {
				gr, ok1 := get("Request/" + g + "/" + sc.name)
				r, ok2 := get("Request/" + cs + "/" + sc.name)
				if ok1 && ok2 {
					atFloor := ""
					if okf {
						atFloor = fmt.Sprintf(" (a request at its floor would give %.2f×)", gr.ns/floor)
					}
					add(fmt.Sprintf("%s over %s ≥ %.0f× on %ss", g, cs, sc.min, sc.name), gr.ns >= sc.min*r.ns, "%.2f×%s", gr.ns/r.ns, atFloor)
				}
			}
		}
	}
	return ts
}

// requestFloor is the floor of a request of the scenario: bare, plus the
// read-one floor for a read (the handler reads one value); bare, plus the
// decode floor, the encode floor and Cookie.String for a write (the
// session keeps its other values, so the whole object is split).
func requestFloor(res map[string]result, cs, scenario string) (float64, bool) {
	bare, ok1 := res["Request/bare/"+scenario]
	dec, ok2 := floorOf(res, decodeRecipes[cs])
	if !ok1 || !ok2 {
		return 0, false
	}
	switch scenario {
	case "read":
		read, ok := floorOf(res, readRecipes[cs])
		return bare.ns + read, ok
	case "write":
		enc, ok3 := floorOf(res, encodeRecipes[cs])
		cookie, ok4 := res["Primitive/cookie-string/"+cs]
		return bare.ns + dec + enc + cookie.ns, ok3 && ok4
	}
	return 0, false
}

// printVerdicts prints every target with its figure and verdict, and
// returns how many were missed.
func printVerdicts(ts []target) (missed int) {
	fmt.Println("\n## Targets of issue 13 (figures of this run)")
	for _, t := range ts {
		v := "met"
		if !t.ok {
			v = "MISSED"
			missed++
		}
		fmt.Printf("%-6s %-48s %s\n", v, t.name, t.figure)
	}
	return missed
}
