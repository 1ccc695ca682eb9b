// Command genspec writes the benchmark spec for N ServiceAccounts to
// standard output, for bench/peer.sh: go run ./bench/genspec N > spec.yaml.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/eksiam/eksiam/internal/benchspec"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genspec N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "genspec: N must be a whole number")
		os.Exit(2)
	}
	os.Stdout.Write(benchspec.Spec(n))
}
