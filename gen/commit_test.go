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
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var j journal
	for _, f := range next {
		staged, err := stage(root, f)
		if err != nil {
			t.Fatal(err)
		}
		j.Rename = append(j.Rename, [2]string{staged, f.Path})
	}
	j.Remove = []string{"terraform/gone.tf"}
	if err := writeJournal(root, dir, j); err != nil {
		t.Fatal(err)
	}
	// Killed here. What is on disk is still the old run's, and --check,
	// even against the new files, says the folder is not up to date.
	if got := readTree(t, dir)["terraform/a.tf"]; !strings.Contains(got, "old a") {
		t.Fatalf("a.tf changed before the renames: %q", got)
	}
	if !Interrupted(dir) {
		t.Errorf("an interrupted run is not seen")
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

// TestPlantedJournalIsRefused: the output folder is committed to
// repositories, so a journal eksiam did not write must move and delete
// nothing: not a rename onto a file outside its folders, not a removal of
// a file it does not own.
func TestPlantedJournalIsRefused(t *testing.T) {
	for name, j := range map[string]string{
		"rename outside":    `{"rename":[["terraform/.evil.eksiam-tmp",".git/hooks/pre-commit"]]}`,
		"rename other name": `{"rename":[["terraform/.x.tf.eksiam-tmp","terraform/y.tf"]]}`,
		"remove state":      `{"remove":["terraform/terraform.tfstate"]}`,
		"remove outside":    `{"remove":["../outside.txt"]}`,
	} {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "terraform"), 0o755)
		os.WriteFile(filepath.Join(dir, "terraform", "terraform.tfstate"), []byte("{}"), 0o644)
		os.WriteFile(filepath.Join(dir, "terraform", ".evil.eksiam-tmp"), header("evil"), 0o755)
		os.WriteFile(filepath.Join(dir, journalName), []byte(j), 0o644)
		_, err := Write(dir, []string{Terraform}, []iam.File{{Path: "terraform/a.tf", Data: header("a")}}, false)
		if err == nil || !strings.Contains(err.Error(), "is not a journal eksiam wrote") {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "terraform", "terraform.tfstate")); err != nil {
			t.Errorf("%s: the state file is gone", name)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			t.Errorf("%s: a file was renamed out of eksiam's folders", name)
		}
	}
}

// TestStagingDoesNotFollowALink: a link planted where a file is staged
// is removed, not written through.
func TestStagingDoesNotFollowALink(t *testing.T) {
	dir, victim := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	os.MkdirAll(filepath.Join(dir, "terraform"), 0o755)
	if err := os.Symlink(victim, filepath.Join(dir, "terraform", ".a.tf"+stagedExt)); err != nil {
		t.Skip(err)
	}
	if _, err := Write(dir, []string{Terraform}, []iam.File{{Path: "terraform/a.tf", Data: header("a")}}, false); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Errorf("the write went through the link: %q", data)
	}
	if info, err := os.Lstat(filepath.Join(dir, "terraform", "a.tf")); err != nil || !info.Mode().IsRegular() {
		t.Errorf("a.tf is not a regular file: %v", err)
	}
}
