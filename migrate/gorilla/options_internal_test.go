package gorilla

import (
	"errors"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// The max age handed to securecookie, in seconds (0: securecookie checks
// no age). A cookie older than 30 days cannot be made with securecookie's
// own clock in a test, so NoAgeLimit is checked here, at the hand-over.
func TestMaxAgeSeconds(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want int
	}{
		{Options{}, 86400 * 30},
		{Options{MaxAge: time.Second}, 1},
		{Options{MaxAge: 7 * 24 * time.Hour}, 86400 * 7},
		{Options{NoAgeLimit: true}, 0},
	} {
		got, err := tc.opts.maxAgeSeconds()
		if err != nil || got != tc.want {
			t.Errorf("%+v: got %d, %v; want %d", tc.opts, got, err, tc.want)
		}
	}
	for _, opts := range []Options{
		{MaxAge: -time.Second},
		{MaxAge: time.Millisecond},
		{MaxAge: time.Second + 1},
		{MaxAge: time.Second, NoAgeLimit: true},
	} {
		if _, err := opts.maxAgeSeconds(); !errors.Is(err, cookiesession.ErrInvalidConfig) {
			t.Errorf("%+v: got %v, want ErrInvalidConfig", opts, err)
		}
	}
}
