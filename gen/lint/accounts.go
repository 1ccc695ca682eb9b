package lint

import (
	"regexp"
	"strings"

	"github.com/eksiam/eksiam/schema"
)

// adminPolicyRE matches AWS's administrator-class managed policies: full
// access to everything, or to IAM (which is the same in two steps).
var adminPolicyRE = regexp.MustCompile(`^arn:[^:]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$`)

// adminPolicies reports administrator-class managed policies on a pod
// role: any pod of the ServiceAccount could then run the account.
func adminPolicies(ds *schema.Diagnostics, who string, arns []schema.Str) {
	for _, a := range arns {
		value := strings.ReplaceAll(a.Value, "${partition}", "aws")
		if m := adminPolicyRE.FindStringSubmatch(value); m != nil {
			ds.Finding(a.Pos, "admin-policy", "%s has the managed policy %s, which lets every pod of the ServiceAccount take over the account; grant what the workload needs", who, m[1])
		}
	}
}

// sessionTagRE matches the session tags EKS Pod Identity sets
// (kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name,
// kubernetes-pod-uid, eks-cluster-arn, eks-cluster-name) where a policy
// reads them: as ${aws:PrincipalTag/...} or the condition key
// aws:PrincipalTag/....
var sessionTagRE = regexp.MustCompile(`(?i)aws:PrincipalTag/(kubernetes-[a-z-]+|eks-cluster-[a-z-]+)`)

// sessionTagVariables reports policies that read Pod Identity session tags
// on a role that gets none: an IRSA role, or an association with
// sessionTags: false. The tag is then absent, so a condition on it never
// matches and a variable of it matches nothing: the statement grants
// nothing (or, in a Deny, denies nothing).
func sessionTagVariables(ds *schema.Diagnostics, who string, sa schema.ServiceAccount) {
	if sa.UsesPodIdentity() && sa.SessionTags.Value && sa.Mechanism.Value != schema.MechanismBoth && len(sa.SessionPolicy) == 0 {
		return
	}
	why := "an IRSA role gets no Pod Identity session tags"
	switch {
	case sa.Mechanism.Value == schema.MechanismBoth:
		why = "with mechanism: both, pods that come through IRSA get no Pod Identity session tags"
	case sa.UsesPodIdentity():
		why = "the association has sessionTags: false (as a session policy requires)"
	}
	check := func(s schema.Str, effect string) {
		if m := sessionTagRE.FindString(s.Value); m != "" {
			ds.Finding(s.Pos, "session-tag-variable", "%s uses %s, but %s, so %s", who, m, why, effect)
		}
	}
	statements := func(sts []schema.Statement) {
		for _, st := range sts {
			for _, r := range append(append([]schema.Str{}, st.Resources...), st.NotResources...) {
				check(r, "the variable is empty and the resource names nothing")
			}
			for _, c := range st.Conditions {
				// An absent key fails a positive test but passes a negated
				// one (StringNotEquals...), an ...IfExists one and Null.
				effect := "the condition never holds"
				if op := c.Operator.Value; strings.Contains(op, "Not") || strings.HasSuffix(op, "IfExists") || op == "Null" {
					effect = "the condition always holds"
				}
				check(c.Key, effect)
				for _, v := range c.Values {
					check(v, "the variable is empty and the condition does not test what it says")
				}
			}
		}
	}
	statements(sa.Policy)
	statements(sa.SessionPolicy)
}

// accountRE finds the account field of an IAM ARN.
var accountRE = regexp.MustCompile(`^arn:[^:]*:iam::([^:]*):`)

// foreignAccount reports managed policy and boundary ARNs in an account
// other than AWS's own (aws), the deploying one (${account}) and the
// spec's cluster.accountId: IAM attaches only policies of the role's own
// account or AWS's, and the error comes at apply time.
func foreignAccount(ds *schema.Diagnostics, who string, spec *schema.Spec, arns []schema.Str, what string) {
	for _, a := range arns {
		m := accountRE.FindStringSubmatch(a.Value)
		if m == nil {
			continue
		}
		switch acct := m[1]; {
		case acct == "aws", acct == "${account}", acct == spec.Cluster.AccountID.Value:
		default:
			ds.Finding(a.Pos, "foreign-account-arn", "%s: the %s %s is in account %s, but a role can use only its own account's policies and AWS's; write ${account}, or the account in cluster.accountId", who, what, a.Value, acct)
		}
	}
}

// trustAnchorRE finds the account field of a Roles Anywhere ARN.
var trustAnchorRE = regexp.MustCompile(`^arn:[^:]*:rolesanywhere:[^:]*:([^:]*):`)

// foreignTrustAnchor reports a hybrid node role's trust anchor in another
// account than the role's: a Roles Anywhere profile lists roles of its own
// account, so such a role is never assumed.
func foreignTrustAnchor(ds *schema.Diagnostics, who string, spec *schema.Spec, a schema.Str) {
	m := trustAnchorRE.FindStringSubmatch(a.Value)
	if m == nil || m[1] == "${account}" || m[1] == spec.Cluster.AccountID.Value {
		return
	}
	ds.Finding(a.Pos, "foreign-account-arn", "%s: the trust anchor %s is in account %s, but IAM Roles Anywhere gives credentials for roles of the trust anchor's own account; write ${account}, or the account in cluster.accountId", who, a.Value, m[1])
}
