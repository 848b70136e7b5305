package flasktag

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

func TestFlashesVector(t *testing.T) {
	got, err := Flashes(taggedVector(t)[FlashesKey])
	if err != nil {
		t.Fatal(err)
	}
	want := []Flash{{"message", "Saved"}, {"error", "Bad NON"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Flashes = %v, want %v", got, want)
	}
}

func TestAppendFlash(t *testing.T) {
	vals := taggedVector(t)
	// Flask wrote the vector's _flashes by flash("Saved") then
	// flash("Bad NON", "error"): appending the same to nothing gives the
	// same bytes.
	got, err := AppendFlash(nil, Flash{Message: "Saved"}, Flash{"error", "Bad NON"})
	if err != nil {
		t.Fatal(err)
	}
	var flaskWrote bytes.Buffer
	json.Compact(&flaskWrote, vals[FlashesKey])
	if string(got) != flaskWrote.String() {
		t.Errorf("AppendFlash = %s, want %s", got, vals[FlashesKey])
	}
	more, err := AppendFlash(got, Flash{"info", "<b>"})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{" t":["message","Saved"]},{" t":["error","Bad NON"]},{" t":["info","<b>"]}]`
	if string(more) != want {
		t.Errorf("AppendFlash = %s, want %s", more, want)
	}
	fl, err := Flashes(more)
	if err != nil || len(fl) != 3 || fl[2] != (Flash{"info", "<b>"}) {
		t.Errorf("Flashes(AppendFlash) = %v, %v", fl, err)
	}
	if got, err := AppendFlash(json.RawMessage(`null`)); err != nil || string(got) != `[]` {
		t.Errorf("AppendFlash(null) = %s, %v", got, err)
	}
}

func TestFlashesTable(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Flash
	}{
		{``, nil},
		{`null`, nil},
		{`[]`, nil},
		{`[{" t":["warning",{" m":"<i>x</i>"}]}]`, []Flash{{"warning", "<i>x</i>"}}},
	} {
		got, err := Flashes(json.RawMessage(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Flashes(%s) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{`{}`, `"x"`, `[["message","x"]]`, `[{" t":["message"]}]`, `[{" t":[1,"x"]}]`,
		`[{" t":["m",1]}]`, `[{" t":["m","x"],"y":1}]`, `[{" t":["m",{" b":"AA=="}]}]`} {
		if got, err := Flashes(json.RawMessage(in)); !errors.Is(err, format.ErrMalformed) {
			t.Errorf("Flashes(%s) = %v, %v; want ErrMalformed", in, got, err)
		}
	}
	if _, err := AppendFlash(json.RawMessage(`{"a":1}`), Flash{"m", "x"}); !errors.Is(err, format.ErrMalformed) {
		t.Errorf("AppendFlash to an object: %v", err)
	}
}
