package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
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
// nothing as the steps above describe. Every file operation goes through
// an os.Root on dir, so no link leads a write or a removal outside it. A
// path held by a file eksiam does not own stops everything before
// anything is written, unless force.
func Write(dir string, formats []string, files []iam.File, force bool) (Result, error) {
	var res Result
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("creating %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return res, fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	unlock, err := lock(dir)
	if err != nil {
		return res, err
	}
	defer unlock()
	if res.Recovered, err = recoverRun(root, dir); err != nil {
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
	unstage := func() {
		for _, r := range j.Rename {
			root.Remove(r[0])
		}
	}
	for _, f := range p.write {
		staged, err := stage(root, f)
		if err != nil {
			unstage()
			return res, err
		}
		j.Rename = append(j.Rename, [2]string{staged, f.Path})
	}
	j.Remove = p.remove
	if len(j.Rename)+len(j.Remove) > 0 {
		if err := writeJournal(root, dir, j); err != nil {
			unstage()
			return res, err
		}
		if err := apply(root, dir, j); err != nil {
			return res, fmt.Errorf("%w (the next eksiam generate finishes the run)", err)
		}
	}
	for _, r := range j.Rename {
		res.Written = append(res.Written, r[1])
	}
	res.Removed = j.Remove
	// A subfolder of eksiam's that is left empty goes too; one that still
	// holds anything stays.
	for _, folder := range ownedFolders(formats) {
		if entries, err := fs.ReadDir(root.FS(), folder); err == nil && len(entries) == 0 && folder != formatOf(folder) {
			root.Remove(folder)
		}
	}
	res.Unchanged = p.unchanged
	return res, nil
}

// ownedFolders are the folders eksiam writes for the formats: each
// format's, and eksiam's own subfolders of them.
func ownedFolders(formats []string) []string {
	var out []string
	for _, f := range formats {
		out = append(append(out, f), subfolders[f]...)
	}
	return out
}

// eksiamFolders are the folders eksiam writes for any format, the only
// ones a journal may name.
func eksiamFolders() []string { return ownedFolders(Formats) }

func formatOf(folder string) string { f, _, _ := strings.Cut(folder, "/"); return f }

// stagedName is where a target's new content is staged.
func stagedName(target string) string {
	return path.Join(path.Dir(target), "."+path.Base(target)+stagedExt)
}

// stage writes a file's new content beside its target, synced, and
// returns the staged file's path relative to dir. Whatever stands at the
// staged name (a leftover, a link) is removed first, and the file is
// created new. A replaced file's mode is kept; a new one is 0644.
func stage(root *os.Root, f iam.File) (string, error) {
	if err := root.MkdirAll(path.Dir(f.Path), 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", path.Dir(f.Path), err)
	}
	mode := os.FileMode(0o644)
	if info, err := root.Lstat(f.Path); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm()
	}
	staged := stagedName(f.Path)
	if err := root.Remove(staged); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("writing %s: %w", f.Path, err)
	}
	out, err := root.OpenFile(staged, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
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
		root.Remove(staged)
		return "", fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return staged, nil
}

func writeJournal(root *os.Root, dir string, j journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	tmp := journalName + stagedExt
	root.Remove(tmp)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err == nil {
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = root.Rename(tmp, journalName)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		root.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, journalName), err)
	}
	return nil
}

// apply makes a journal's renames and removals, syncs the folders they
// touched, and removes the journal. It can run again on a journal it did
// part of: a staged file that is gone was renamed, a removed one is gone.
func apply(root *os.Root, dir string, j journal) error {
	folders := map[string]bool{}
	for _, r := range j.Rename {
		if _, err := root.Lstat(r[0]); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if info, err := root.Lstat(r[1]); err == nil && info.IsDir() {
			if err := root.Remove(r[1]); err != nil {
				return fmt.Errorf("replacing folder %s by a file: %w", r[1], err)
			}
		}
		if err := root.Rename(r[0], r[1]); err != nil {
			return fmt.Errorf("writing %s: %w", r[1], err)
		}
		folders[path.Dir(r[1])] = true
	}
	for _, rel := range j.Remove {
		if err := root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s, which eksiam no longer generates: %w", rel, err)
		}
		folders[path.Dir(rel)] = true
	}
	for folder := range folders {
		if err := syncDir(filepath.Join(dir, filepath.FromSlash(folder))); err != nil {
			return err
		}
	}
	if err := root.Remove(journalName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(dir)
}

// readJournal reads the journal of an interrupted run, or returns nil
// when there is none. A journal eksiam would not have written (a rename
// other than a staged file onto its own target, a path outside eksiam's
// folders, a removal of a file eksiam does not own) is refused whole:
// the output folder is committed to repositories, and a planted journal
// must not move or delete anything.
func readJournal(root *os.Root, dir string) (*journal, error) {
	data, err := root.ReadFile(journalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	bad := func(why string) error {
		return fmt.Errorf("%s is not a journal eksiam wrote (%s); remove it, then run eksiam generate again", filepath.Join(dir, journalName), why)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, bad(err.Error())
	}
	inFolders := func(p string) bool {
		return filepath.IsLocal(filepath.FromSlash(p)) && slices.Contains(eksiamFolders(), path.Dir(p))
	}
	for _, r := range j.Rename {
		if !inFolders(r[1]) || r[0] != stagedName(r[1]) {
			return nil, bad("it renames " + r[0] + " to " + r[1])
		}
		if info, err := root.Lstat(r[0]); err == nil {
			head := make([]byte, iam.MaxHeaderBytes)
			f, err := root.Open(r[0])
			if err != nil || !info.Mode().IsRegular() {
				return nil, bad(r[0] + " is not a staged file")
			}
			n, _ := f.Read(head)
			f.Close()
			if !iam.IsGenerated(head[:n]) {
				return nil, bad(r[0] + " is not eksiam's")
			}
		}
	}
	for _, p := range j.Remove {
		if !inFolders(p) {
			return nil, bad("it removes " + p)
		}
		if info, err := root.Lstat(p); err == nil {
			data, rerr := root.ReadFile(p)
			if !info.Mode().IsRegular() || rerr != nil || !iam.IsGenerated(data) {
				return nil, bad("it removes " + p + ", which eksiam does not own")
			}
		}
	}
	return &j, nil
}

// recoverRun finishes a run that was interrupted after its journal was
// written, and removes whatever stands at a staged name that no journal
// names (a run interrupted before). It reports whether there was a run
// to finish.
func recoverRun(root *os.Root, dir string) (bool, error) {
	j, err := readJournal(root, dir)
	if err != nil {
		return false, err
	}
	if j != nil {
		if err := apply(root, dir, *j); err != nil {
			return false, fmt.Errorf("finishing the interrupted run: %w", err)
		}
	}
	root.Remove(journalName + stagedExt)
	for _, folder := range eksiamFolders() {
		entries, _ := fs.ReadDir(root.FS(), folder)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), stagedExt) {
				root.Remove(path.Join(folder, e.Name()))
			}
		}
	}
	return j != nil, nil
}

// Interrupted reports whether dir holds the journal of a run that did
// not finish: the next generate finishes it, and until then the folder is
// not up to date.
func Interrupted(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, journalName))
	return err == nil
}
