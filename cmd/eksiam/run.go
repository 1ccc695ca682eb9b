package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/eksiam/eksiam/gen"
	"github.com/eksiam/eksiam/schema"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes (SPEC §4).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `eksiam generates the IAM code of an EKS environment from one YAML spec.

Usage:
  eksiam generate --spec FILE --out DIR [--format terraform,cloudformation,eksctl,kubernetes] [--force] [--check] [--quiet]
  eksiam validate --spec FILE [--strict] [--format text|json]
  eksiam explain --spec FILE [NAMESPACE/NAME] [--as NAMESPACE/NAME --action A --resource ARN | --assume WHO]
  eksiam init --project P --environment E [--region R] [--from SPEC] [--out FILE]
  eksiam schema
  eksiam presets [NAME]
  eksiam version

Run "eksiam COMMAND --help" for a command's flags.
`

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"generate", "write the IAM code for a spec", runGenerate},
		{"validate", "check a spec and lint the policies it would produce", runValidate},
		{"explain", "say who can take each role and what it can do, or decide one request, offline", runExplain},
		{"init", "write a starter spec, or copy another environment's", runInit},
		{"schema", "print the spec's JSON Schema", runSchema},
		{"presets", "list the built-in presets, or show one", runPresets},
		{"version", "print eksiam's version", runVersion},
	}
}

// run is the whole program: it parses args, runs a command and returns the
// exit code. It writes only to stdout and stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "--version":
		return runVersion(nil, stdin, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "eksiam: unknown command %q%s\n\n%s", args[0], schema.Suggest(args[0], names), usage)
	return exitUsage
}

// flagSet makes a flag set that reports errors instead of exiting, and whose
// --help prints the command's usage to stdout.
func flagSet(name, synopsis, about string, stdout io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("eksiam "+name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage:\n  eksiam %s %s\n\n%s\n\nFlags:\n%s", name, synopsis, about, fs.FlagUsages())
	}
	return fs
}

// parse parses flags and returns the exit code to stop with, or -1 to go on.
// The command takes no positional arguments.
func parse(fs *pflag.FlagSet, args []string, stderr io.Writer) int {
	return parseArgs(fs, args, 0, stderr)
}

// parseArgs parses flags and at most maxArgs positional arguments.
func parseArgs(fs *pflag.FlagSet, args []string, maxArgs int, stderr io.Writer) int {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return exitOK // pflag has printed the usage
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v%s\nRun \"%s --help\" for usage.\n", fs.Name(), err, suggestFlag(fs, err), fs.Name())
		return exitUsage
	case fs.NArg() > maxArgs:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\nRun \"%s --help\" for usage.\n", fs.Name(), fs.Arg(maxArgs), fs.Name())
		return exitUsage
	}
	return -1
}

// suggestFlag is a did-you-mean for an unknown flag, or "".
func suggestFlag(fs *pflag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, "--"+f.Name) })
	return schema.Suggest("--"+name, names)
}

func usageError(stderr io.Writer, fs *pflag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\nRun \"%s --help\" for usage.\n", fs.Name(), fmt.Sprintf(format, args...), fs.Name())
	return exitUsage
}

// printDiagnostics writes every diagnostic, sorted, one per line.
func printDiagnostics(stderr io.Writer, diags schema.Diagnostics) {
	for _, d := range diags.Sorted() {
		fmt.Fprintln(stderr, d.String())
	}
}

// readSpec reads a spec file, but never more than a byte past
// schema.MaxSpecBytes, so that --spec /dev/zero stops with the loader's
// clear error instead of filling memory.
func readSpec(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, schema.MaxSpecBytes+1))
}

// loadSpec reads and validates a spec file. It returns the spec with the
// loader's diagnostics, or nil (having said why) when the file could not
// be read or is not YAML. A spec with errors is still returned, so that
// the model's and the formats' checks can report theirs in the same run.
func loadSpec(path string, stderr io.Writer) (*schema.Spec, schema.Diagnostics) {
	data, err := readSpec(path)
	if err != nil {
		fmt.Fprintf(stderr, "eksiam: reading the spec: %v\n", err)
		return nil, nil
	}
	spec, diags := schema.Load(path, data)
	if spec == nil {
		printDiagnostics(stderr, diags)
	}
	return spec, diags
}

// generateFlags are the flags of eksiam generate.
type generateFlags struct {
	spec, out, format   string
	force, check, quiet bool
}

func (f *generateFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.spec, "spec", "", "the spec file (required)")
	fs.StringVar(&f.out, "out", "", "the output folder; each format writes its own subfolder (required)")
	fs.StringVar(&f.format, "format", "", "comma-separated output formats, instead of the spec's formats (terraform, cloudformation and eksctl by default)")
	fs.BoolVar(&f.force, "force", false, "overwrite files at generated paths even when eksiam did not write them")
	fs.BoolVar(&f.check, "check", false, "write nothing; print a diff and exit 1 when the output folder is not up to date")
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing but errors (not what was written)")
}

func runGenerate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var f generateFlags
	fs := flagSet("generate", "--spec FILE --out DIR [--format "+strings.Join(gen.Formats, ",")+"] [--force] [--check] [--quiet]",
		"Renders the IAM code for the spec in memory, then replaces the files eksiam generated before\n"+
			"(their first line says so) in DIR/terraform, DIR/cloudformation and DIR/eksctl. Other files\n"+
			"there, such as Terraform state, lock files and your own .tf files, are never touched. Nothing\n"+
			"is written when anything fails.",
		stdout)
	f.bind(fs)
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	switch {
	case f.spec == "":
		return usageError(stderr, fs, "--spec is required")
	case f.out == "":
		return usageError(stderr, fs, "--out is required")
	}
	var formats []string
	if f.format != "" {
		var err error
		if formats, err = gen.ParseFormats(f.format); err != nil {
			return usageError(stderr, fs, "%v", err)
		}
	}
	spec, diags := loadSpec(f.spec, stderr)
	if spec == nil {
		return exitFailure
	}
	if formats == nil {
		formats = spec.Formats
	}
	files, _, more := gen.Generate(spec, gen.Options{Formats: formats, ChecksOnly: diags.HasErrors()})
	diags = append(diags, more...)
	printDiagnostics(stderr, diags)
	if diags.HasErrors() {
		return exitFailure
	}
	if f.check {
		if gen.Interrupted(f.out) {
			fmt.Fprintf(stderr, "eksiam: %s holds an interrupted eksiam run; run eksiam generate to finish it\n", f.out)
			return exitFailure
		}
		d, err := gen.Check(f.out, formats, files)
		if err != nil {
			fmt.Fprintf(stderr, "eksiam: %v\n", err)
			return exitFailure
		}
		if d != nil {
			stdout.Write(d)
			fmt.Fprintf(stderr, "eksiam: %s is not up to date with %s; run eksiam generate without --check\n", f.out, f.spec)
			return exitFailure
		}
		return exitOK
	}
	res, err := gen.Write(f.out, formats, files, f.force)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "eksiam: %s\n", line)
		}
		return exitFailure
	}
	if !f.quiet {
		if res.Recovered {
			fmt.Fprintf(stderr, "eksiam: finished an interrupted run in %s first\n", f.out)
		}
		printResult(stderr, f.out, formats, res)
	}
	return exitOK
}

// printResult says, one line per format, what generate did in its folder.
func printResult(stderr io.Writer, out string, formats []string, res gen.Result) {
	count := func(paths []string, format string) int {
		n := 0
		for _, p := range paths {
			if strings.HasPrefix(p, format+"/") {
				n++
			}
		}
		return n
	}
	for _, format := range formats {
		line := fmt.Sprintf("eksiam: %s: %d written, %d unchanged", filepath.Join(out, format),
			count(res.Written, format), count(res.Unchanged, format))
		if n := count(res.Removed, format); n > 0 {
			line += fmt.Sprintf(", %d removed (no longer generated)", n)
		}
		fmt.Fprintln(stderr, line)
	}
}

func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("version", "", "Prints eksiam's version.", stdout)
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	fmt.Fprintf(stdout, "eksiam %s\n", version)
	return exitOK
}
