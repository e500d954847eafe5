//go:build linux || darwin || freebsd || netbsd || openbsd

package store

import "golang.org/x/sys/unix"

// freeSpace is what the file system holding dir has free for this user.
func freeSpace(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
