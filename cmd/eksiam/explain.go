package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/evaluate"
	"github.com/eksiam/eksiam/gen/explain"
	"github.com/eksiam/eksiam/gen/iam"
)

// explainFlags are the flags of eksiam explain.
type explainFlags struct {
	spec, format, as, action, resource, assume, account string
	context                                             []string
}

func runExplain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var f explainFlags
	fs := flagSet("explain", "--spec FILE [NAMESPACE/NAME] [--format text|markdown|json|dot|mermaid]\n"+
		"  eksiam explain --spec FILE --as NAMESPACE/NAME --action ACTION --resource ARN [--context KEY=VALUE]...\n"+
		"  eksiam explain --spec FILE --as NAMESPACE/NAME --assume CLUSTER/NAMESPACE/NAME|system:serviceaccount:NAMESPACE:NAME",
		"Says, offline, what the spec's roles allow. Without --as: for each role (or the ServiceAccount\n"+
			"NAMESPACE/NAME), who can take it and what it can do, actions grouped by service with how many\n"+
			"actions their wildcards cover; dot and mermaid draw ServiceAccount -> role -> services.\n"+
			"With --as and --action: whether IAM allows the call made with that ServiceAccount's role\n"+
			"(node:NAME for a node role), and which statement decides, with its place in the spec; with\n"+
			"--assume: whether a Pod Identity association (cluster/namespace/name) or an IRSA token's\n"+
			"subject may take the role. Exit 0 when allowed, 1 when denied or when it depends on managed\n"+
			"policies whose content is not known offline.",
		stdout)
	fs.StringVar(&f.spec, "spec", "", "the spec file (required)")
	fs.StringVar(&f.format, "format", "text", "the report's format: "+strings.Join(explain.Formats, ", ")+" (text or json for a decision)")
	fs.StringVar(&f.as, "as", "", "the ServiceAccount (namespace/name) or node role (node:NAME) whose role makes the request")
	fs.StringVar(&f.action, "action", "", "the action to evaluate, as service:Action")
	fs.StringVar(&f.resource, "resource", "", "the resource ARN the action acts on")
	fs.StringArrayVar(&f.context, "context", nil, "a condition key of the request, key=value (repeat the key for several values)")
	fs.StringVar(&f.assume, "assume", "", "evaluate the trust policy for cluster/namespace/name (Pod Identity), an IRSA subject, or service:NAME (node roles)")
	fs.StringVar(&f.account, "account", "", "the account id, when the spec has no cluster.accountId")
	if code := parseArgs(fs, args, 1, stderr); code >= 0 {
		return code
	}
	switch {
	case f.spec == "":
		return usageError(stderr, fs, "--spec is required")
	case !slices.Contains(explain.Formats, f.format):
		return usageError(stderr, fs, "unknown format %q: choose %s", f.format, strings.Join(explain.Formats, ", "))
	case f.as == "" && (f.action != "" || f.resource != "" || f.assume != "" || len(f.context) > 0):
		return usageError(stderr, fs, "--action, --resource, --context and --assume need --as")
	case f.as != "" && f.assume == "" && (f.action == "" || f.resource == ""):
		return usageError(stderr, fs, "--as needs --action and --resource, or --assume")
	case f.as != "" && fs.NArg() > 0:
		return usageError(stderr, fs, "give the ServiceAccount with --as or as the argument, not both")
	case f.as != "" && f.format != "text" && f.format != "json":
		return usageError(stderr, fs, "a decision prints as text or json, not %s", f.format)
	}
	spec, diags := loadSpec(f.spec, stderr)
	if spec == nil {
		return exitFailure
	}
	if diags.HasErrors() {
		printDiagnostics(stderr, diags)
		return exitFailure
	}
	m, more := iam.Build(spec)
	if more.HasErrors() {
		printDiagnostics(stderr, more)
		return exitFailure
	}
	account := m.Cluster.AccountID
	if f.account != "" {
		account = f.account
	}
	if account == "" {
		return usageError(stderr, fs, "explain needs the account: set cluster.accountId in the spec, or --account")
	}
	value := values(m, account)
	if f.as == "" {
		rep, err := explain.Build(m, value, fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "eksiam: %v\n", err)
			return exitFailure
		}
		if err := rep.Write(stdout, f.format); err != nil {
			fmt.Fprintf(stderr, "eksiam: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	r := findRole(m, f.as)
	if r == nil {
		// A usage error, not a denial: a CI check that expects exit 1
		// must not pass on a misspelled ServiceAccount.
		return usageError(stderr, fs, "the spec has no role for %s", f.as)
	}
	ctx := map[string][]string{}
	for _, kv := range f.context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usageError(stderr, fs, "--context %q is not key=value", kv)
		}
		ctx[k] = append(ctx[k], v)
	}
	var d evaluate.Decision
	var what string
	if f.assume != "" {
		var err error
		d, what, err = assume(m, r, f.assume, ctx, value)
		if err != nil {
			return usageError(stderr, fs, "%v", err)
		}
	} else {
		req := evaluate.Request{Action: f.action, Resource: f.resource, Context: ctx}
		if r.Kind == iam.KindNode {
			d = evaluate.Call(r, req, evaluate.Env{Value: value})
		} else {
			d = evaluate.CallPod(m, r, req, evaluate.Env{Value: value})
		}
		what = fmt.Sprintf("%s on %s", f.action, f.resource)
	}
	if err := printDecision(stdout, f.format, r, what, f.assume != "", d); err != nil {
		fmt.Fprintf(stderr, "eksiam: %v\n", err)
		return exitFailure
	}
	if d.Result == evaluate.Allowed {
		return exitOK
	}
	return exitFailure
}

// values resolves the model's references for explain: the account given,
// and for an OIDC provider looked up at deploy time, a stand-in issuer.
func values(m *iam.Model, account string) func(iam.Ref) string {
	return m.Resolver(account, "oidc.eks."+m.Cluster.Region+".amazonaws.com/id/CLUSTER-OIDC-ID")
}

// findRole finds the role of namespace/name, or of node role node:NAME.
func findRole(m *iam.Model, as string) *iam.Role {
	if name, ok := strings.CutPrefix(as, "node:"); ok {
		for _, r := range m.NodeRoles {
			if r.Node.Name == name {
				return r
			}
		}
		return nil
	}
	for _, r := range m.PodRoles {
		if r.Namespace+"/"+r.ServiceAccount == as {
			return r
		}
	}
	return nil
}

// assume evaluates the role's trust for a Pod Identity association
// (cluster/namespace/name) or an IRSA subject.
// A service principal (service:ec2.amazonaws.com, for a node role) asks
// sts:AssumeRole with the --context keys (aws:SourceArn, ...).
func assume(m *iam.Model, r *iam.Role, who string, ctx map[string][]string, value func(iam.Ref) string) (evaluate.Decision, string, error) {
	env := evaluate.Env{Value: value}
	if svc, ok := strings.CutPrefix(who, "service:"); ok {
		req := evaluate.Request{Action: "sts:AssumeRole", Context: ctx}
		return evaluate.Assume(r, "Service:"+svc, req, env), "the service " + svc, nil
	}
	if strings.HasPrefix(who, "system:serviceaccount:") {
		if m.IRSA == nil {
			return evaluate.Decision{Result: evaluate.ImplicitDeny}, "IRSA for " + who + " (the spec has no IRSA)", nil
		}
		issuer := m.IRSA.Issuer.Resolve(value)
		principal := evaluate.FederatedPrefix + m.IRSA.ProviderARN.Resolve(value)
		what := "the IRSA token of " + who
		if m.IRSA.Lookup {
			what += " (from the cluster's OIDC provider, which the outputs look up at deploy time)"
		}
		return evaluate.Assume(r, principal, evaluate.IRSARequest(issuer, who), env), what, nil
	}
	parts := strings.Split(who, "/")
	if len(parts) != 3 || slices.Contains(parts, "") {
		return evaluate.Decision{}, "", fmt.Errorf("--assume %q is none of cluster/namespace/name, system:serviceaccount:namespace:name and service:NAME", who)
	}
	clusterARN := "arn:" + value(iam.RefPartition) + ":eks:" + value(iam.RefRegion) + ":" + value(iam.RefAccount) + ":cluster/" + parts[0]
	sessionTags := r.Association == nil || r.Association.SessionTags
	d := evaluate.Decision{Result: evaluate.Allowed}
	for _, req := range evaluate.PodIdentityRequests(clusterARN, parts[1], parts[2], sessionTags) {
		d = evaluate.Assume(r, evaluate.PodIdentityPrincipal, req, env)
		if d.Result != evaluate.Allowed {
			return d, "EKS Pod Identity for " + who, nil
		}
	}
	return d, "EKS Pod Identity for " + who, nil
}

// printDecision says what IAM would answer and why.
// For a trust decision (trust), what is who asks to take the role.
func printDecision(w io.Writer, format string, r *iam.Role, what string, trust bool, d evaluate.Decision) error {
	subject := "ServiceAccount " + r.Namespace + "/" + r.ServiceAccount
	if r.Kind == iam.KindNode {
		subject = "node role " + r.Node.Name
	}
	if format == "json" {
		out := struct {
			Result    string          `json:"result"`
			Allowed   bool            `json:"allowed"`
			Request   string          `json:"request"`
			Role      string          `json:"role"`
			Statement *evaluate.Match `json:"statement,omitempty"`
			At        string          `json:"at,omitempty"`
			Limit     string          `json:"limit,omitempty"`
			Unknown   []string        `json:"unknown,omitempty"`
		}{Result: string(d.Result), Allowed: d.Result == evaluate.Allowed, Request: what, Role: subject,
			Statement: d.By, Limit: d.Limit, Unknown: d.Unknown}
		if d.By != nil && d.By.Pos.IsValid() {
			out.At = d.By.Pos.String()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	var b strings.Builder
	switch {
	case trust && d.Result == evaluate.Allowed:
		fmt.Fprintf(&b, "Allowed: %s may take the role of %s.\n", what, subject)
	case trust:
		fmt.Fprintf(&b, "Denied: %s may not take the role of %s: its trust policy does not allow it.\n", what, subject)
	}
	switch {
	case trust:
	case d.Result == evaluate.Allowed:
		fmt.Fprintf(&b, "Allowed: %s may make %s.\n", subject, what)
	case d.Result == evaluate.ExplicitDeny:
		fmt.Fprintf(&b, "Denied: %s may not make %s: a Deny statement refuses it.\n", subject, what)
	case d.Result == evaluate.ImplicitDeny:
		fmt.Fprintf(&b, "Denied: %s may not make %s: no statement allows it.\n", subject, what)
	case d.Result == evaluate.Unknown && d.Limit == "target role":
		fmt.Fprintf(&b, "Unknown: the pods of %s make %s with the target role %s, whose policies eksiam does not have.\n", subject, what, strings.Join(d.Unknown, ""))
	case d.Result == evaluate.Unknown && d.Limit == "mechanism":
		fmt.Fprintf(&b, "Unknown: %s may make %s through one of Pod Identity and IRSA but not the other (Pod Identity's session tags decide it): it depends on which the pod's SDK takes.\n", subject, what)
	case d.Result == evaluate.Unknown && d.By != nil && d.By.Effect == "Allow" && d.Limit == "":
		fmt.Fprintf(&b, "Unknown: %s may make %s, unless %s denies it; its content is not known offline.\n", subject, what, strings.Join(d.Unknown, " or "))
	case d.Result == evaluate.Unknown:
		fmt.Fprintf(&b, "Unknown: %s may make %s only if %s allows it; its content is not known offline.\n", subject, what, strings.Join(d.Unknown, " and "))
	}
	if d.By != nil {
		fmt.Fprintf(&b, "  decided by: %s", d.By.Effect)
		if d.By.Sid != "" {
			fmt.Fprintf(&b, " statement %s", d.By.Sid)
		}
		fmt.Fprintf(&b, " of %s", d.By.Policy)
		if d.By.Preset != "" && d.By.Preset != iam.OwnDocument {
			fmt.Fprintf(&b, " (preset %s)", d.By.Preset)
		}
		if d.By.Pos.IsValid() {
			fmt.Fprintf(&b, ", from %s", d.By.Pos)
		}
		b.WriteString("\n")
	}
	if d.Limit != "" && d.Result != evaluate.Unknown {
		fmt.Fprintf(&b, "  limited by: the %s\n", d.Limit)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
