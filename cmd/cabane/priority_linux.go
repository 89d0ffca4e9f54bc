package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Linux ioprio ABI (include/uapi/linux/ioprio.h): best-effort class, its
// lowest level. Not the idle class: on a box that serves all day, an idle
// reader could wait for ever.
const (
	ioprioWhoProcess = 1
	ioprioBestEffort = 2<<13 | 7
)

// lowerPriority makes this process yield to the server: nice 10 and the
// lowest best-effort I/O priority. Linux keeps both per thread, so every
// thread already running is set; the runtime's later threads inherit them.
func lowerPriority() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("lower priority: %w", err)
	}
	for _, task := range tasks {
		tid, err := strconv.Atoi(task.Name())
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, 10); err != nil {
			return fmt.Errorf("lower priority: %w", err)
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioBestEffort); errno != 0 {
			return fmt.Errorf("lower I/O priority: %w", errno)
		}
	}
	return nil
}
