package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
)

func header(body string) []byte { return []byte(iam.Header("spec.yaml") + "\n" + body) }

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return out
}

// TestInterruptedRunIsFinished stages a run's files and writes its
// journal, as a run killed before its renames leaves them: --check says
// the folder is not up to date, and the next run finishes the interrupted
// one, then does its own; no staged file is left.
func TestInterruptedRunIsFinished(t *testing.T) {
	dir := t.TempDir()
	old := []iam.File{{Path: "terraform/a.tf", Data: header("old a")}, {Path: "terraform/gone.tf", Data: header("gone")}}
	if _, err := Write(dir, []string{Terraform}, old, false); err != nil {
		t.Fatal(err)
	}
	next := []iam.File{{Path: "terraform/a.tf", Data: header("new a")}, {Path: "terraform/b.tf", Data: header("new b")}}
	var j journal
	for _, f := range next {
		staged, err := stage(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		j.Rename = append(j.Rename, [2]string{staged, f.Path})
	}
	j.Remove = []string{"terraform/gone.tf"}
	if err := writeJournal(dir, j); err != nil {
		t.Fatal(err)
	}
	// Killed here. What is on disk is still the old run's, and --check,
	// even against the new files, says the folder is not up to date.
	if got := readTree(t, dir)["terraform/a.tf"]; !strings.Contains(got, "old a") {
		t.Fatalf("a.tf changed before the renames: %q", got)
	}
	d, err := Check(dir, []string{Terraform}, next)
	if err != nil || !strings.Contains(string(d), "interrupted eksiam run") {
		t.Errorf("--check on an interrupted run: %v\n%s", err, d)
	}
	res, err := Write(dir, []string{Terraform}, next, false)
	if err != nil || !res.Recovered {
		t.Fatalf("the next run did not finish the interrupted one: %v %+v", err, res)
	}
	tree := readTree(t, dir)
	if !strings.Contains(tree["terraform/a.tf"], "new a") || !strings.Contains(tree["terraform/b.tf"], "new b") || tree["terraform/gone.tf"] != "" {
		t.Errorf("after recovery: %v", tree)
	}
	for p := range tree {
		if strings.HasSuffix(p, stagedExt) || strings.HasSuffix(p, journalName) {
			t.Errorf("%s left behind", p)
		}
	}
	if d, _ := Check(dir, []string{Terraform}, next); d != nil {
		t.Errorf("--check after recovery:\n%s", d)
	}
}

// TestFailedStagingChangesNothing: when a file cannot be staged, no
// target changes and every staged file goes; a staged file some earlier
// run left behind goes too.
func TestFailedStagingChangesNothing(t *testing.T) {
	dir := t.TempDir()
	old := []iam.File{{Path: "terraform/a.tf", Data: header("old a")}, {Path: "terraform/b.tf", Data: header("old b")}}
	if _, err := Write(dir, []string{Terraform}, old, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform", ".left.tf"+stagedExt), header("left"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A folder where b.tf's staged file would go makes staging fail.
	if err := os.MkdirAll(filepath.Join(dir, "terraform", ".b.tf"+stagedExt, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir, []string{Terraform}, []iam.File{{Path: "terraform/a.tf", Data: header("new a")}, {Path: "terraform/b.tf", Data: header("new b")}}, false)
	if err == nil {
		t.Fatal("staging into a folder succeeded")
	}
	tree := readTree(t, dir)
	if !strings.Contains(tree["terraform/a.tf"], "old a") || !strings.Contains(tree["terraform/b.tf"], "old b") {
		t.Errorf("a failed run changed files: %v", tree)
	}
	for p := range tree {
		if strings.HasPrefix(p, "terraform/.a.tf") || strings.HasPrefix(p, "terraform/.left.tf") {
			t.Errorf("%s left behind", p)
		}
	}
}
