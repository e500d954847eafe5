package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestDiskFullOnTinyFilesystem fills a real 1 MiB file system (tmpfs) to
// the last byte: the write that does not fit fails with ErrDiskFull, what
// was stored before stays readable, and when the file system grows the
// store finds out by itself and writes again, with a file that checks
// clean. The tmpfs is mounted in a private mount namespace of a child
// process (this test binary again), so nothing is left mounted whatever
// happens; where the system allows no mount namespace (not root and no
// user namespaces) the test is skipped and says why. TestWriteFailures
// covers the same with an injected failure everywhere.
func TestDiskFullOnTinyFilesystem(t *testing.T) {
	if dir := os.Getenv("ASIOINTI_TINYFS_DIR"); dir != "" {
		tinyFSChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullOnTinyFilesystem$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "ASIOINTI_TINYFS_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if os.Geteuid() != 0 {
		// An unprivileged user may still have a namespace of their own.
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
	}
	out, err := cmd.CombinedOutput()
	if m := regexp.MustCompile(`TINYFS-SKIP: (.*)`).FindSubmatch(out); m != nil {
		t.Skipf("no tiny file system here: %s", m[1])
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Skipf("no tiny file system here: cannot start a process in a mount namespace of its own: %v", err)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^--- PASS: TestDiskFullOnTinyFilesystem`).Match(out) {
		t.Fatalf("child did not pass:\n%s", out)
	}
}

func tinyFSChild(t *testing.T, dir string) {
	skip := func(format string, args ...any) {
		fmt.Printf("TINYFS-SKIP: "+format+"\n", args...)
		t.SkipNow()
	}
	// Mounts made here must not reach the parent's namespace.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		skip("cannot make the mount namespace private: %v", err)
	}
	if err := syscall.Mount("asiointi-test", dir, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		skip("cannot mount a tmpfs: %v", err)
	}

	s, err := Open(dir, Options{ProbeEvery: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(os.Stdout, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	val := make([]byte, 32<<10)
	rand.Read(val)
	var stored int
	for i := 0; ; i++ {
		err := s.Update(func(tx *Tx) error { return tx.PutRaw(Drafts, fmt.Sprintf("k%03d", i), val) })
		if err == nil {
			stored++
			if i > 200 {
				t.Fatal("1 MiB took 6 MiB: the file system is not the tiny one")
			}
			continue
		}
		if !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("write %d: %v, want ErrDiskFull wrapping ENOSPC", i, err)
		}
		break
	}
	if stored == 0 {
		t.Fatal("nothing fitted")
	}
	if full, _ := s.WriteFailures(); full == 0 {
		t.Error("the disk-full failure was not counted")
	}
	err = s.View(func(tx *Tx) error {
		for i := range stored {
			raw, err := tx.GetRaw(Drafts, fmt.Sprintf("k%03d", i))
			if err != nil || len(raw) != len(val) {
				return fmt.Errorf("k%03d: %d bytes, %v", i, len(raw), err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("data written before the disk filled: %v", err)
	}

	// Small writes may still fit in the file's free pages, but with less
	// than MinFree free the store keeps saying it cannot write.
	time.Sleep(50 * time.Millisecond)
	if s.Writable() {
		t.Fatal("writable again on a full file system")
	}

	// The file system grows (as when an operator frees space).
	if err := syscall.Mount("asiointi-test", dir, "tmpfs", syscall.MS_REMOUNT, "size=32m,mode=0700"); err != nil {
		t.Fatalf("grow the tmpfs: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !s.Writable() {
		if time.Now().After(deadline) {
			t.Fatal("the store did not find out that it can write again")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Update(func(tx *Tx) error { return tx.PutRaw(Drafts, "after", val) }); err != nil {
		t.Fatalf("write after the disk grew: %v", err)
	}
	if errs := s.Check(); len(errs) > 0 {
		t.Fatalf("file does not check clean: %v", errs)
	}
}
