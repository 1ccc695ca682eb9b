// Package gen runs eksiam's pipeline in memory and puts the result on disk:
// Generate builds the IAM model from a loaded spec, runs the checks that
// depend on the output formats asked for, and renders every file; Write
// replaces the files eksiam owns in the output folders and nothing else;
// Check reports, as a unified diff, how the folders differ from what
// Generate rendered.
package gen

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/cloudformation"
	"github.com/eksiam/eksiam/gen/eksctl"
	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/gen/kubernetes"
	"github.com/eksiam/eksiam/gen/lint"
	"github.com/eksiam/eksiam/gen/terraform"
	"github.com/eksiam/eksiam/schema"
)

// Output formats, in the order their folders are written.
const (
	Terraform      = "terraform"
	CloudFormation = "cloudformation"
	Eksctl         = "eksctl"
	Kubernetes     = "kubernetes"
)

// Formats lists every output format, the default set.
var Formats = schema.FormatNames

// ParseFormats reads a comma-separated --format value, ignoring case.
func ParseFormats(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("unknown format %q%s: choose from %s", f, schema.Suggest(f, Formats), strings.Join(Formats, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Formats, a) - slices.Index(Formats, b) })
	return out, nil
}

// Options says what to generate.
type Options struct {
	// Formats to render; nil means the spec's formats.
	Formats []string
	// ChecksOnly runs the checks (the model's, the formats') but renders
	// nothing: for a spec that loaded with errors, so that one run reports
	// every problem, while nothing is written.
	ChecksOnly bool
}

// Generate builds the model of a loaded spec and renders the asked formats
// in memory. It returns no files when any diagnostic is an error.
func Generate(spec *schema.Spec, opts Options) ([]iam.File, *iam.Model, schema.Diagnostics) {
	formats := opts.Formats
	if formats == nil {
		formats = spec.Formats
	}
	m, diags := iam.Build(spec)
	diags = append(diags, checkFormats(m, formats)...)
	if diags.HasErrors() || opts.ChecksOnly {
		return nil, m, diags.Sorted()
	}
	var files []iam.File
	for _, f := range formats {
		var out []iam.File
		var err error
		switch f {
		case Terraform:
			out, err = terraform.Emit(m)
		case CloudFormation:
			out, err = cloudformation.Emit(m)
		case Eksctl:
			out, err = eksctl.Emit(m)
		case Kubernetes:
			out, err = kubernetes.Emit(m)
		}
		var limit *cloudformation.LimitError
		if errors.As(err, &limit) {
			diags.Errorf(schema.Pos{}, "%v", err)
			return nil, m, diags
		}
		if err != nil {
			diags.Errorf(schema.Pos{}, "internal error: %v", err)
			return nil, m, diags
		}
		files = append(files, out...)
	}
	return files, m, diags.Sorted()
}

// Validate builds the model of a loaded spec and reviews it: the model's
// errors, the lint findings, and, as findings of the rule format-limit,
// what one of the output formats could not carry (generate makes those
// errors for the formats it is asked for).
//
// loadFailed says the spec loaded with errors: the checks then run on what
// loaded, but nothing is rendered (no template size to note).
func Validate(spec *schema.Spec, loadFailed bool) (*iam.Model, schema.Diagnostics) {
	m, diags := iam.Build(spec)
	loadFailed = loadFailed || diags.HasErrors()
	diags = append(diags, lint.Model(m, spec)...)
	for _, d := range checkFormats(m, spec.Formats) {
		d.Severity, d.Rule = schema.Warning, "format-limit"
		diags = append(diags, d)
	}
	if spec.HasFormat(CloudFormation) && !loadFailed {
		diags = append(diags, cloudFormationSize(m)...)
	}
	for _, r := range m.NodeRoles {
		if !spec.HasFormat(Eksctl) || loadFailed {
			break
		}
		if r.Node.Shorthand && r.Node.Kind == schema.KindEC2 {
			what, are := "node role", "is"
			if r.InstanceProfile {
				what, are = "node role and instance profile", "are"
			}
			diags.Notef(m.PosOf(r), "eksctl-node-role", "eksctl creates one role per managed node group and has no standalone node role: the %s for self-managed nodes and Karpenter %s only in the Terraform and CloudFormation outputs (the karpenter preset passes that role unless presetOptions.nodeRoleArns names others)", what, are)
			continue
		}
		if len(r.Node.NodeGroups) > 0 {
			diags.Notef(m.PosOf(r), "eksctl-node-role", "eksctl creates a role of its own for each of the managed node groups of %s: the role itself, for nodes outside those groups, is only in the Terraform and CloudFormation outputs", r.Who())
			continue
		}
		diags.Notef(m.PosOf(r), "eksctl-node-role", "eksctl has no standalone node role: %s is only in the Terraform and CloudFormation outputs; the eksctl output names it by ARN where eksctl takes it (access entry, autoModeConfig) and says in a comment what eksctl cannot carry (README, Node roles)", r.Who())
	}
	return m, diags.Sorted()
}

// cloudFormationSize reviews the CloudFormation output's size: past one
// template's limits without cloudformation.nestedStacks it is a finding
// (generate makes it an error); near them, a note to choose nested stacks
// while the spec is small; past the 51,200 bytes aws cloudformation deploy
// sends inline, or in nested stacks, a note on how to deploy it. These are
// about the output as a whole, so they carry no position.
func cloudFormationSize(m *iam.Model) schema.Diagnostics {
	var diags schema.Diagnostics
	files, err := cloudformation.Emit(m)
	var limit *cloudformation.LimitError
	switch {
	case errors.As(err, &limit):
		diags.Finding(schema.Pos{}, "format-limit", "%v", err)
	case err != nil:
		diags.Errorf(schema.Pos{}, "internal error: %v", err)
	case m.NestedStacks:
		diags.Notef(schema.Pos{}, "template-size", "%s is a root template with %d nested stacks: deploy it with aws cloudformation package, then aws cloudformation deploy (README)",
			cloudformation.Path, len(files)-1)
	default:
		data := files[0].Data
		if u := cloudformation.Usage(data); u >= 0.8 {
			diags.Notef(schema.Pos{}, "template-size", "%s uses %.0f%% of one template's limits; set cloudformation.nestedStacks: true while the spec is small, since the switch moves every pod role to a nested stack once (README)",
				cloudformation.Path, 100*u)
		}
		if len(data) > cloudformation.MaxInlineBytes {
			diags.Notef(schema.Pos{}, "template-size", "%s is %d bytes, more than the %d that aws cloudformation deploy sends inline: deploy it with --s3-bucket (README)",
				cloudformation.Path, len(data), cloudformation.MaxInlineBytes)
		}
	}
	return diags
}

// checkFormats reports what the model asks for that an output format
// cannot carry, at the position it came from.
func checkFormats(m *iam.Model, formats []string) schema.Diagnostics {
	var diags schema.Diagnostics
	if slices.Contains(formats, Terraform) {
		for _, r := range m.Associations() {
			if r.Association.SessionPolicy != nil {
				diags.Errorf(r.Association.Pos, "ServiceAccount %s/%s has a sessionPolicy, which the Terraform AWS provider's aws_eks_pod_identity_association cannot carry yet; leave terraform out with formats: [cloudformation, eksctl] in the spec (or --format cloudformation,eksctl), or drop the session policy",
					r.Namespace, r.ServiceAccount)
			}
		}
	}
	if slices.Contains(formats, Eksctl) {
		diags = append(diags, checkEksctl(m)...)
	}
	if slices.Contains(formats, Kubernetes) {
		diags = append(diags, checkKubernetes(m)...)
	}
	return diags
}

// checkKubernetes reports what the kubernetes output cannot write: an
// IRSA role's ARN without the account (the annotation is a value), and a
// ServiceAccount that two presets' Helm charts would each create.
func checkKubernetes(m *iam.Model) schema.Diagnostics {
	var diags schema.Diagnostics
	for _, r := range m.PodRoles {
		pos := m.PosOf(r)
		if r.Mechanism != "pod-identity" && m.Cluster.AccountID == "" {
			diags.Errorf(pos, "%s uses IRSA, whose ServiceAccount annotation eks.amazonaws.com/role-arn kubernetes output must write as an ARN: set cluster.accountId, or leave kubernetes out of formats", r.Who())
		}
		if len(r.Charts) > 1 {
			diags.Errorf(pos, "%s uses presets of two Helm charts, %s and %s, and one ServiceAccount is created by one chart: give each add-on a ServiceAccount of its own", r.Who(), r.Charts[0].Name, r.Charts[1].Name)
		}
	}
	return diags
}

// checkEksctl reports what eksctl cannot express: values it would need to
// know (eksctl has no variables), the two trusts of mechanism both, and
// statements that only fit in customer-managed policies.
func checkEksctl(m *iam.Model) schema.Diagnostics {
	var diags schema.Diagnostics
	for _, r := range m.Roles() {
		pos := m.PosOf(r)
		needsAccount := false
		r.WalkPermissions(func(e iam.Expr) { needsAccount = needsAccount || e.HasRef(iam.RefAccount) })
		if n := r.Node; n != nil && (n.AccessEntry != nil || n.Kind == schema.KindAutoMode) && m.Cluster.AccountID == "" {
			diags.Errorf(pos, "%s gets an access entry or Auto Mode's nodeRoleARN, which eksctl output must write as an ARN: set cluster.accountId, or leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation)", r.Who())
		}
		if needsAccount && m.Cluster.AccountID == "" {
			diags.Errorf(pos, "%s uses ${account}, which eksctl output must write as a value: set cluster.accountId, or leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation)", r.Who())
		}
		if a := r.Association; a != nil && a.TargetRoleARN != nil && m.Cluster.Partition != "aws" {
			diags.Errorf(pos, "%s has a targetRoleArn in the %s partition, and eksctl takes only target role ARNs that start with arn:aws:iam::; leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation)", r.Who(), m.Cluster.Partition)
		}
		if r.Mechanism == "both" {
			diags.Errorf(pos, "%s uses mechanism: both, which eksctl cannot express (one role trusted by Pod Identity and IRSA); leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation)", r.Who())
		}
		if r.Kind == iam.KindPod && r.Mechanism != "both" && len(r.ManagedPolicyARNs) == 0 && len(r.InlinePolicies) == 0 && len(r.CustomerPolicies) == 0 {
			what := "a pod identity association without roleARN, permissionPolicy, permissionPolicyARNs or wellKnownPolicies"
			if r.Mechanism == "irsa" {
				what = "an IAM ServiceAccount without attachPolicyARNs, attachPolicy, attachRoleARN or wellKnownPolicies"
			}
			diags.Errorf(pos, "%s has no policy, and eksctl refuses %s: give it a policy, presets or managedPolicyArns, or leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation)", r.Who(), what)
		}
		if len(r.CustomerPolicies) > 0 {
			diags.Errorf(pos, "the statements of %s pass the 10,240 characters IAM allows a role's inline policies, and eksctl writes them as one inline policy; leave eksctl out with formats: [terraform, cloudformation] in the spec (or --format terraform,cloudformation), or shorten the statements", r.Who())
		}
	}
	return diags
}
