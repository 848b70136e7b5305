package iron

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MinPasswordLength is the shortest password iron accepts, in characters
// as JavaScript counts them (UTF-16 code units: a character outside the
// Basic Multilingual Plane, such as an emoji, counts two).
const MinPasswordLength = 32

// maxIDDigits bounds a password id: iron-session turns ids into JavaScript
// numbers to find the highest, and 15 digits stay below 2^53, where every
// integer is exact.
const maxIDDigits = 15

// A Password is one entry of iron-session's password map: the id written
// in every seal it makes, and the secret its keys are derived from.
//
// iron-session takes either one password string, whose id is "1", or an
// object of id → password for rotation, and seals with the highest id.
type Password struct {
	// ID is a decimal number without leading zeros ("0", "1", "2", ...,
	// at most 15 digits), as iron-session's password map keys are.
	ID string
	// Secret is the password: valid UTF-8, at least [MinPasswordLength]
	// characters (UTF-16 code units, as JavaScript counts).
	Secret string
}

// String returns the password's id only, never its secret, so that a
// Password in a log line or an error message gives nothing away.
func (p Password) String() string { return "iron password id " + p.ID }

// ParsePassword reads a password as the command line and the examples
// take it: "ID=PASSWORD" (a decimal id, "=", then the password) or a plain
// password, whose id is "1" as iron-session gives a string password.
//
// A string that begins with digits and "=" is always read as ID=PASSWORD,
// so a password that itself begins that way must be written with its id
// ("1=12=rest-of-password"). An id with a leading zero or of more than 15
// digits is an error. The password's length is checked by [New], not here.
func ParsePassword(s string) (Password, error) {
	i := strings.IndexByte(s, '=')
	if i > 0 && allDigits(s[:i]) {
		p := Password{ID: s[:i], Secret: s[i+1:]}
		if err := checkID(p.ID); err != nil {
			return Password{}, fmt.Errorf("%w (to use a password that begins with digits and \"=\", write it as 1=PASSWORD)", err)
		}
		if p.Secret == "" {
			return Password{}, fmt.Errorf("iron: password id %s has an empty password", p.ID)
		}
		return p, nil
	}
	if s == "" {
		return Password{}, errors.New("iron: empty password")
	}
	return Password{ID: "1", Secret: s}, nil
}

// checkID reports whether id is a password id iron-session can use: a
// canonical decimal number of at most 15 digits.
func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("iron: empty password id")
	case !allDigits(id):
		return fmt.Errorf("iron: password id %q is not a decimal number", id)
	case len(id) > 1 && id[0] == '0':
		return fmt.Errorf("iron: password id %q has a leading zero", id)
	case len(id) > maxIDDigits:
		return fmt.Errorf("iron: password id %q has more than %d digits", id, maxIDDigits)
	}
	return nil
}

// checkSecret reports whether secret is a password iron accepts.
func checkSecret(p Password) error {
	if !utf8.ValidString(p.Secret) {
		return fmt.Errorf("iron: the password of id %s is not valid UTF-8", p.ID)
	}
	if n := jsLength(p.Secret); n < MinPasswordLength {
		return fmt.Errorf("iron: the password of id %s has %d characters; iron requires at least %d", p.ID, n, MinPasswordLength)
	}
	return nil
}

// jsLength is the length of s as JavaScript's String.prototype.length
// counts it: UTF-16 code units.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
