//go:build !go1.23

package cookiesession_test

const partitionedField = false
