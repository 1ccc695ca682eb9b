// Package golden holds eksiam's golden cases, one folder each: a spec.yaml
// and its expected outputs (terraform/, model.json), or stderr.txt for a
// spec that must fail. A file named formats holds the --format value for a
// case that not every format can express (all formats otherwise). The tests regenerate every case, compare byte for
// byte, and check each output's meaning against the reference data in
// ../shared. Run "go test ./golden -update" to rewrite the expected files,
// then read the diff.
package golden
