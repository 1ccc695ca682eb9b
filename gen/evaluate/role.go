package evaluate

import (
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
)

// Pod Identity's session tags (EKS User Guide, pod-id-abac): with session
// tags on, a Pod Identity session carries these as principal tags.
const (
	TagClusterARN     = "eks-cluster-arn"
	TagClusterName    = "eks-cluster-name"
	TagNamespace      = "kubernetes-namespace"
	TagServiceAccount = "kubernetes-service-account"
	TagPodName        = "kubernetes-pod-name"
	TagPodUID         = "kubernetes-pod-uid"
)

// SessionContext is the request context of a call made with a role's
// credentials: for a Pod Identity role with session tags, its session's
// principal tags (aws:PrincipalTag/...) for this cluster and the role's
// namespace and ServiceAccount; the pod's name and uid only where the
// caller gives them. Keys of given win.
func SessionContext(m *iam.Model, r *iam.Role, value func(iam.Ref) string, given map[string][]string) map[string][]string {
	ctx := map[string][]string{}
	if a := r.Association; a != nil && a.SessionTags {
		tags := map[string]string{
			TagClusterARN:     iam.ClusterARN().Resolve(value),
			TagClusterName:    m.Cluster.Name,
			TagNamespace:      r.Namespace,
			TagServiceAccount: r.ServiceAccount,
		}
		for k, v := range tags {
			ctx["aws:PrincipalTag/"+k] = []string{v}
		}
	}
	for k, v := range given {
		for old := range ctx {
			if strings.EqualFold(old, k) {
				delete(ctx, old)
			}
		}
		ctx[k] = v
	}
	return ctx
}

// variables resolves policy variables from the request context: a
// variable's value is its key's (single) value.
func variables(ctx map[string][]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := lookup(ctx, name)
		if !ok || len(v) != 1 {
			return "", false
		}
		return v[0], true
	}
}

// Call evaluates a request made with the role's credentials: the role's
// own policies (inline and customer-managed; AWS-managed ones where env
// knows them), its permissions boundary, and, for a Pod Identity session
// of an association with one, the session policy. The request's context
// should come from SessionContext.
func Call(r *iam.Role, req Request, env Env) Decision {
	vars := variables(req.Context)
	var identity []statement
	for _, p := range append(append([]*iam.Policy{}, r.InlinePolicies...), r.CustomerPolicies...) {
		identity = append(identity, resolve(p.Document, p.Name.Resolve(env.Value), env.Value)...)
	}
	var unknown []string
	for _, arn := range r.ManagedPolicyARNs {
		a := arn.Resolve(env.Value)
		if d, ok := env.Managed[a]; ok {
			identity = append(identity, resolve(d, a, env.Value)...)
		} else {
			unknown = append(unknown, a)
		}
	}
	// The further policies that must also allow, in IAM's order.
	type limit struct {
		name  string
		sts   []statement
		known bool
		arn   string
	}
	var limits []limit
	if r.PermissionsBoundary != nil {
		a := r.PermissionsBoundary.Resolve(env.Value)
		d, ok := env.Managed[a]
		limits = append(limits, limit{name: "permissions boundary", sts: resolve(d, a, env.Value), known: ok, arn: a})
	}
	if a := r.Association; a != nil && a.SessionPolicy != nil {
		limits = append(limits, limit{name: "session policy", sts: resolve(*a.SessionPolicy, "session policy", env.Value), known: true})
	}
	// An explicit Deny anywhere decides.
	result, by := decide(identity, "", req, vars)
	if result == ExplicitDeny {
		return Decision{Result: ExplicitDeny, By: by}
	}
	for _, l := range limits {
		if res, m := decide(l.sts, "", req, vars); res == ExplicitDeny {
			return Decision{Result: ExplicitDeny, By: m, Limit: l.name}
		}
	}
	if result != Allowed {
		if len(unknown) > 0 {
			return Decision{Result: Unknown, Unknown: unknown}
		}
		return Decision{Result: ImplicitDeny}
	}
	d := Decision{Result: Allowed, By: by}
	if len(unknown) > 0 {
		// Allowed by what eksiam knows, but a managed policy it does not
		// know may hold a Deny.
		d.Result, d.Unknown = Unknown, unknown
	}
	for _, l := range limits {
		if !l.known {
			d.Result, d.Limit, d.Unknown = Unknown, l.name, append(d.Unknown, l.arn)
			continue
		}
		if res, _ := decide(l.sts, "", req, vars); res != Allowed {
			return Decision{Result: ImplicitDeny, By: by, Limit: l.name}
		}
	}
	return d
}

// CallPod evaluates a call made by a pod of the role's ServiceAccount: with
// the Pod Identity session's principal tags, without them through IRSA
// (mechanism both: each way, and when they differ the answer depends on
// which the pod's SDK takes). With a target role, the pod's calls are made
// with that role, whose policies eksiam does not have: the answer is then
// unknown, but for the pod role's own sts:AssumeRole and sts:TagSession.
func CallPod(m *iam.Model, r *iam.Role, req Request, env Env) Decision {
	if a := r.Association; a != nil && a.TargetRoleARN != nil {
		if act := strings.ToLower(req.Action); act != "sts:assumerole" && act != "sts:tagsession" {
			return Decision{Result: Unknown, Limit: "target role", Unknown: []string{a.TargetRoleARN.Resolve(env.Value)}}
		}
	}
	withTags := req
	withTags.Context = SessionContext(m, r, env.Value, req.Context)
	switch r.Mechanism {
	case "irsa", "":
		return Call(r, req, env)
	case "both":
		pi, irsa := Call(r, withTags, env), Call(r, req, env)
		if pi.Result != irsa.Result {
			d := pi
			if irsa.Result != Allowed {
				d = irsa
			}
			return Decision{Result: Unknown, By: d.By, Limit: "mechanism", Unknown: append(pi.Unknown, irsa.Unknown...)}
		}
		return pi
	}
	return Call(r, withTags, env)
}

// Principals of the two ways pods assume a role.
const (
	PodIdentityPrincipal = "Service:" + iam.PodIdentityPrincipal
	// FederatedPrefix starts an IRSA principal, the cluster's OIDC
	// provider's ARN following.
	FederatedPrefix = "Federated:"
)

// Assume evaluates whether a principal may take the role: its trust
// policy (as a resource policy of the role) decides. For Pod Identity the
// request is sts:AssumeRole (and the session's sts:TagSession) by
// pods.eks.amazonaws.com with the session tags as aws:RequestTag/...; for
// IRSA sts:AssumeRoleWithWebIdentity by the OIDC provider with
// <issuer>:sub and <issuer>:aud.
func Assume(r *iam.Role, principal string, req Request, env Env) Decision {
	sts := resolve(r.AssumeRolePolicy, "trust policy", env.Value)
	res, by := decide(sts, principal, req, variables(req.Context))
	return Decision{Result: res, By: by}
}

// PodIdentityRequests are the calls EKS Pod Identity makes to take a role
// for a pod of the ServiceAccount namespace/name in the cluster: with
// session tags, sts:AssumeRole and sts:TagSession with the tags as
// aws:RequestTag/...; without, sts:AssumeRole alone.
func PodIdentityRequests(clusterARN, namespace, serviceAccount string, sessionTags bool) []Request {
	if !sessionTags {
		return []Request{{Action: "sts:AssumeRole"}}
	}
	tags := map[string][]string{
		"aws:RequestTag/" + TagClusterARN:     {clusterARN},
		"aws:RequestTag/" + TagNamespace:      {namespace},
		"aws:RequestTag/" + TagServiceAccount: {serviceAccount},
	}
	return []Request{{Action: "sts:AssumeRole", Context: tags}, {Action: "sts:TagSession", Context: tags}}
}

// IRSARequest is the call the pod's SDK makes with its projected token
// for IRSA: sts:AssumeRoleWithWebIdentity, with the token's subject and
// audience under the issuer's keys.
func IRSARequest(issuer, subject string) Request {
	return Request{Action: "sts:AssumeRoleWithWebIdentity", Context: map[string][]string{
		issuer + ":sub": {subject},
		issuer + ":aud": {"sts.amazonaws.com"},
	}}
}
