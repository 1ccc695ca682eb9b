package golden

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/internal/testenv"
)

// TestCfnLint runs cfn-lint, as users run it, on every valid case's
// templates (the root and any nested stacks) with the spec's region: any
// error or warning fails the test. Templates are linted in one run per
// region, since cfn-lint's start-up dominates.
func TestCfnLint(t *testing.T) {
	lint := testenv.Tool(t, "cfn-lint")
	tmp := t.TempDir()
	byRegion := map[string][]string{}
	for _, dir := range cases(t) {
		res := run(t, dir)
		if res.stderr != nil {
			continue
		}
		region := res.model.Cluster.Region
		byRegion[region] = append(byRegion[region], writeFormat(t, filepath.Join(tmp, dir), res.files, "cloudformation/")...)
	}
	if len(byRegion) == 0 {
		t.Fatal("no templates to lint")
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		files := byRegion[region]
		sort.Strings(files)
		cmd := exec.Command(lint, append([]string{"--format", "json", "--regions", region, "--"}, files...)...)
		out, err := cmd.Output()
		var findings []struct {
			Level    string `json:"Level"`
			Message  string `json:"Message"`
			Filename string `json:"Filename"`
			Rule     struct {
				ID string `json:"Id"`
			} `json:"Rule"`
			Location struct {
				Start struct {
					LineNumber int `json:"LineNumber"`
				} `json:"Start"`
			} `json:"Location"`
		}
		if jerr := json.Unmarshal(out, &findings); jerr != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("cfn-lint (%s) printed no JSON: %v\n%s%s", region, jerr, out, stderr)
		}
		for _, f := range findings {
			rel, _ := filepath.Rel(tmp, f.Filename)
			t.Errorf("cfn-lint %s %s: %s:%d: %s", f.Level, f.Rule.ID, rel, f.Location.Start.LineNumber, f.Message)
		}
		if err != nil && len(findings) == 0 {
			t.Errorf("cfn-lint (%s) failed without findings: %v", region, err)
		}
	}
}

// writeFormat writes a case's files under prefix (cloudformation/) into
// dir, keeping their layout (a root template refers to its nested stacks
// by relative path), and returns the paths written.
func writeFormat(t *testing.T, dir string, files map[string][]byte, prefix string) []string {
	t.Helper()
	var paths []string
	for name, data := range files {
		rel, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}
