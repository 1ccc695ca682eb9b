package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
)

// How a run's writes become all-or-nothing, as far as a file system
// allows:
//
//  1. Under a lock on DIR/.eksiam.lock (a second run waits for it, then
//     fails clearly), an interrupted earlier run is finished first (4).
//  2. Every changed file is staged beside its target as .NAME.eksiam-tmp
//     and synced: until then, nothing a user sees has changed, and a
//     failure removes the staged files.
//  3. A journal, DIR/.eksiam-journal, lists the renames and removals to
//     make, and is synced: from then on the run is decided.
//  4. The renames and removals are made, their folders synced, and the
//     journal removed. A run killed in between leaves the journal; the
//     next run, under the lock, makes what it lists (staged files are
//     complete), and --check reports the folder as not up to date until
//     then. Staged files no journal names are leftovers, and go.
const (
	lockName    = ".eksiam.lock"
	journalName = ".eksiam-journal"
	stagedExt   = ".eksiam-tmp"
)

// journal is what a run is about to do, by path relative to DIR.
type journal struct {
	Rename [][2]string `json:"rename"` // staged file, target
	Remove []string    `json:"remove"`
}

// Result says what Write did, by path relative to the output folder.
type Result struct {
	Written, Unchanged, Removed []string
	// Recovered is true when Write first finished an interrupted run.
	Recovered bool
}

// Write puts files into dir (SPEC §3 "Writing"): the changed files
// replace their targets, owned files of the given formats that are no
// longer produced are removed, and no other file is touched, all or
// nothing as the steps above describe. A path held by a file eksiam does
// not own stops everything before anything is written, unless force.
func Write(dir string, formats []string, files []iam.File, force bool) (Result, error) {
	var res Result
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("creating %s: %w", dir, err)
	}
	unlock, err := lock(dir)
	if err != nil {
		return res, err
	}
	defer unlock()
	if res.Recovered, err = recoverRun(dir, formats); err != nil {
		return res, err
	}
	p, err := makePlan(dir, formats, files)
	if err != nil {
		return res, err
	}
	if len(p.conflicts) > 0 && !force {
		return res, &ConflictError{Dir: dir, Paths: p.conflicts}
	}
	var j journal
	for _, f := range p.write {
		staged, err := stage(dir, f)
		if err != nil {
			for _, r := range j.Rename {
				os.Remove(filepath.Join(dir, filepath.FromSlash(r[0])))
			}
			return res, err
		}
		j.Rename = append(j.Rename, [2]string{staged, f.Path})
	}
	j.Remove = p.remove
	if len(j.Rename)+len(j.Remove) > 0 {
		if err := writeJournal(dir, j); err != nil {
			for _, r := range j.Rename {
				os.Remove(filepath.Join(dir, filepath.FromSlash(r[0])))
			}
			return res, err
		}
		if err := apply(dir, j); err != nil {
			return res, fmt.Errorf("%w (the next eksiam generate finishes the run)", err)
		}
	}
	for _, r := range j.Rename {
		res.Written = append(res.Written, r[1])
	}
	res.Removed = j.Remove
	// A subfolder of eksiam's that is left empty goes too; one that still
	// holds anything stays.
	for _, format := range formats {
		for _, sub := range subfolders[format] {
			if entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(sub))); err == nil && len(entries) == 0 {
				os.Remove(filepath.Join(dir, filepath.FromSlash(sub)))
			}
		}
	}
	res.Unchanged = p.unchanged
	return res, nil
}

// stage writes a file's new content beside its target, synced, and
// returns the staged file's path relative to dir. A replaced file's mode
// is kept (the user may have made it read-only for others); a new one is
// 0644.
func stage(dir string, f iam.File) (string, error) {
	target := filepath.Join(dir, filepath.FromSlash(f.Path))
	folder := filepath.Dir(target)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", folder, err)
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(target); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm()
	}
	staged := filepath.Join(folder, "."+filepath.Base(target)+stagedExt)
	out, err := os.OpenFile(staged, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", f.Path, err)
	}
	_, err = out.Write(f.Data)
	if err == nil {
		err = out.Chmod(mode)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(staged)
		return "", fmt.Errorf("writing %s: %w", f.Path, err)
	}
	rel, _ := filepath.Rel(dir, staged)
	return filepath.ToSlash(rel), nil
}

func writeJournal(dir string, j journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, journalName)
	tmp := path + stagedExt
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// apply makes a journal's renames and removals, syncs the folders they
// touched, and removes the journal. It can run again on a journal it did
// part of: a staged file that is gone was renamed, a removed one is gone.
func apply(dir string, j journal) error {
	folders := map[string]bool{}
	for _, r := range j.Rename {
		from, to := filepath.Join(dir, filepath.FromSlash(r[0])), filepath.Join(dir, filepath.FromSlash(r[1]))
		if _, err := os.Lstat(from); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if info, err := os.Lstat(to); err == nil && info.IsDir() {
			if err := os.Remove(to); err != nil {
				return fmt.Errorf("replacing folder %s by a file: %w", r[1], err)
			}
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("writing %s: %w", r[1], err)
		}
		folders[filepath.Dir(to)] = true
	}
	for _, rel := range j.Remove {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s, which eksiam no longer generates: %w", rel, err)
		}
		folders[filepath.Dir(path)] = true
	}
	for folder := range folders {
		if err := syncDir(folder); err != nil {
			return err
		}
	}
	if err := os.Remove(filepath.Join(dir, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(dir)
}

// recoverRun finishes a run that was interrupted after its journal was
// written, and removes staged files no journal names (a run interrupted
// before). It reports whether there was a run to finish.
func recoverRun(dir string, formats []string) (bool, error) {
	recovered := false
	data, err := os.ReadFile(filepath.Join(dir, journalName))
	switch {
	case err == nil:
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return false, fmt.Errorf("%s is not eksiam's journal (%v); remove it", filepath.Join(dir, journalName), err)
		}
		for _, r := range j.Rename {
			if !safeRel(r[0]) || !safeRel(r[1]) || !strings.HasSuffix(r[0], stagedExt) {
				return false, fmt.Errorf("%s names %s; it is not eksiam's journal: remove it", filepath.Join(dir, journalName), r)
			}
		}
		if slices.ContainsFunc(j.Remove, func(p string) bool { return !safeRel(p) }) {
			return false, fmt.Errorf("%s is not eksiam's journal: remove it", filepath.Join(dir, journalName))
		}
		if err := apply(dir, j); err != nil {
			return false, fmt.Errorf("finishing the interrupted run: %w", err)
		}
		recovered = true
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	os.Remove(filepath.Join(dir, journalName+stagedExt))
	for _, format := range formats {
		for _, folder := range append([]string{format}, subfolders[format]...) {
			entries, _ := os.ReadDir(filepath.Join(dir, filepath.FromSlash(folder)))
			for _, e := range entries {
				if e.Type().IsRegular() && strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), stagedExt) {
					os.Remove(filepath.Join(dir, filepath.FromSlash(folder), e.Name()))
				}
			}
		}
	}
	return recovered, nil
}

// safeRel reports a relative path that stays inside the output folder.
func safeRel(p string) bool {
	return p != "" && !filepath.IsAbs(p) && filepath.IsLocal(filepath.FromSlash(p))
}

// interrupted reports whether dir holds the journal of a run that did
// not finish.
func interrupted(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, journalName))
	return err == nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
