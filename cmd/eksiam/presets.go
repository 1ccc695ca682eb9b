package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/eksiam/eksiam/schema"
	"github.com/eksiam/eksiam/templates"
)

func runPresets(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("presets", "[NAME]", "Lists the built-in presets, or shows one preset's options, ServiceAccount, source\nand statements, with a spec snippet that uses it.", stdout)
	if code := parseArgs(fs, args, 1, stderr); code >= 0 {
		return code
	}
	ps, err := templates.Presets()
	if err != nil {
		fmt.Fprintf(stderr, "eksiam: %v\n", err)
		return exitFailure
	}
	if fs.NArg() == 0 {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tADD-ON\tOPTIONS (* required)")
		for _, p := range ps {
			var opts []string
			for _, o := range p.Options {
				if o.Required {
					opts = append(opts, o.Name+"*")
				} else {
					opts = append(opts, o.Name)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Title, strings.Join(opts, ", "))
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nRun \"eksiam presets NAME\" for a preset's options and what it grants.")
		return exitOK
	}
	p, ok := templates.Lookup(fs.Arg(0))
	if !ok {
		fmt.Fprintf(stderr, "eksiam: no preset named %q%s; \"eksiam presets\" lists them\n", fs.Arg(0), schema.Suggest(fs.Arg(0), templates.PresetNames()))
		return exitFailure
	}
	showPreset(stdout, p)
	return exitOK
}

func showPreset(w io.Writer, p *templates.Preset) {
	fmt.Fprintf(w, "%s: %s\n%s\n\n", p.Name, p.Title, p.Description)
	fmt.Fprintf(w, "ServiceAccount: %s/%s (the add-on's usual one)\n", p.ServiceAccount.Namespace, p.ServiceAccount.Name)
	f := p.Followed()
	fmt.Fprintf(w, "Source: %s (%s, retrieved %s)\n", f.URL, f.Name, f.Retrieved)
	fmt.Fprintln(w, "\nVersions (pin one as "+p.Name+"@VERSION; unpinned means the newest):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, v := range p.Versions {
		newest := ""
		if i == 0 {
			newest = " (newest)"
		}
		fmt.Fprintf(tw, "  %s%s	add-on %s	%s, retrieved %s\n", v.Name, newest, v.Addons, v.URL, v.Retrieved)
	}
	tw.Flush()
	if p.Pinned != "" {
		fmt.Fprintf(w, "Shown: %s\n", p.Pinned)
	}
	if len(p.ManagedPolicies) > 0 {
		fmt.Fprintf(w, "AWS-managed policies: %s\n", strings.Join(p.ManagedPolicies, ", "))
	}
	switch c := p.Chart; {
	case c != nil:
		fmt.Fprintf(w, "Helm chart: %s (%s); its ServiceAccount: %s, %s, %s (kubernetes format: values/)\n",
			c.Name, c.Repository, c.CreateKey, c.NameKey, c.AnnotationsKey)
	case p.ServiceAccount.CreatedBy != "":
		fmt.Fprintf(w, "ServiceAccount created by %s\n", p.ServiceAccount.CreatedBy)
	}
	fmt.Fprintln(w, "\nOptions:")
	if len(p.Options) == 0 {
		fmt.Fprintln(w, "  none")
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range p.Options {
		kind := "optional"
		switch {
		case o.Required:
			kind = "required"
		case slices.Equal(o.Default, []string{templates.NodeRoleARN}):
			kind = "default: the spec's node role"
		case len(o.Default) > 0:
			kind = "default " + strings.Join(o.Default, ",")
		}
		values := "e.g. " + o.Example
		if len(o.Enum) > 0 {
			values = "one of " + strings.Join(o.Enum, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s (%s)\n", o.Name, kind, strings.TrimSuffix(o.Description, "."), values)
	}
	tw.Flush()
	if len(p.OneOf) > 0 {
		fmt.Fprintf(w, "  (at least one of %s)\n", strings.Join(p.OneOf, ", "))
	}
	fmt.Fprintln(w, "\nStatements:")
	for _, s := range p.Statements {
		line := fmt.Sprintf("  %s: %s %s", s.Sid, s.Effect, strings.Join(append(s.Actions, notList(s.NotActions)...), ", "))
		line += " on " + strings.Join(append(s.Resources, notList(s.NotResources)...), ", ")
		for _, c := range s.Conditions {
			line += fmt.Sprintf(" if %s %s %s", c.Operator, c.Key, strings.Join(c.Values, ","))
		}
		switch {
		case s.Foreach != "":
			line += " (for each " + s.Foreach + ")"
		case s.When != "":
			line += " (when " + s.When + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "\nIn a spec:\n  serviceAccounts:\n    - namespace: %s\n      name: %s\n      presets: [%s]\n",
		p.ServiceAccount.Namespace, p.ServiceAccount.Name, p.Name)
	var required []templates.Option
	for _, o := range p.Options {
		if o.Required {
			required = append(required, o)
		}
	}
	if len(required) > 0 {
		fmt.Fprintln(w, "      presetOptions:")
		for _, o := range required {
			fmt.Fprintf(w, "        %s: [%q]\n", o.Name, o.Example)
		}
	}
}

func notList(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "not " + s
	}
	return out
}
