package pystr

import "testing"

// Expected values are what CPython 3's str.title returns.
func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"anonymous":        "Anonymous",
		"tom":              "Tom",
		"TOM":              "Tom",
		"tom smith":        "Tom Smith",
		"o'neil-smith 3rd": "O'Neil-Smith 3Rd",
		"jürgen ж":         "Jürgen Ж",
		"x_y.z":            "X_Y.Z",
		"%20tom":           "%20Tom",
		"ǆemal":            "ǅemal",
		"ǅx":               "ǅx", // a titlecase letter is cased
		"ʼn":               "ʼN", // a letter need not be cased
	} {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}
