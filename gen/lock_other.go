//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package gen

// lock is a no-op where flock is not available: concurrent runs on one
// output folder are then the user's to avoid.
func lock(string) (func(), error) { return func() {}, nil }
