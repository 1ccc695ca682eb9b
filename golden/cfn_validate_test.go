package golden

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// cfnDiagnostic is one line of cfn-validate/validate.js's output.
type cfnDiagnostic struct {
	File     string `json:"file"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	Resource string `json:"resource"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
}

// explainedWarnings are validator warnings that stay, each with the
// reason; any other WARN fails the test until it is fixed or explained here.
var explainedWarnings = map[string]string{
	// "Property 'TargetRoleArn' has a hardcoded ARN": the target role of a
	// cross-account association lives in another account, so its ARN is
	// the user's input (targetRoleArn), already partition-safe through
	// ${AWS::Partition}. A parameter would only move the same literal.
	"W9002": "cross-account target role ARN is user input",
	// "This code may only work with 'package' cli command": a root
	// template's nested stacks are named by relative TemplateURL, as SPEC
	// §5 asks, and deployed with aws cloudformation package (README).
	// The template tells cfn-lint so in its Metadata; this validator
	// does not read that.
	"W3002": "nested stacks are deployed with aws cloudformation package",
}

// TestCloudFormationValidator runs AWS's offline validator,
// @aws/cloudformation-validate, on every golden template at once. FATAL and
// ERROR diagnostics fail, and so do warnings not explained above. INFO
// diagnostics are not findings: at this version they say that an
// association's ClusterName, Namespace and ServiceAccount are create-only
// (I9001, true of every association) and that a role or association has no
// Tags when the spec sets none (I9040).
//
// It needs Node.js and the package (npm ci in golden/cfn-validate, as
// .ci/run does): without them it skips, except in CI (CI=true).
func TestCloudFormationValidator(t *testing.T) {
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the CloudFormation validator must run in CI: %s", why)
		}
		t.Skipf("skipping AWS's CloudFormation validator: %s (run: cd golden/cfn-validate && npm ci)", why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat("cfn-validate/node_modules/@aws/cloudformation-validate"); err != nil {
		missing("the npm package @aws/cloudformation-validate is not installed")
	}
	tmp := t.TempDir()
	var paths []string
	for _, dir := range cases(t) {
		paths = append(paths, writeFormat(t, filepath.Join(tmp, dir), run(t, dir).files, "cloudformation/")...)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatal("no templates to validate")
	}
	cmd := exec.Command(node, append([]string{"cfn-validate/validate.js"}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("validate.js failed: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d cfnDiagnostic
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("unreadable validator output %q: %v", sc.Text(), err)
		}
		rel, _ := filepath.Rel(tmp, d.File)
		where := rel + ":" + strconv.Itoa(d.Line) + ": " + d.Rule + " " + d.Resource + " " + d.Path + ": " + d.Message
		switch d.Severity {
		case "FATAL", "ERROR":
			t.Errorf("%s %s", d.Severity, where)
		case "WARN":
			if _, ok := explainedWarnings[d.Rule]; !ok || (d.Rule == "W9002" && d.Path != "Properties.TargetRoleArn") || (d.Rule == "W3002" && d.Path != "Properties.TemplateURL") {
				t.Errorf("unexplained WARN %s", where)
			}
		}
	}
}
