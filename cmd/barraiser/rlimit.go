package main

import (
	"log/slog"
	"syscall"
)

// raiseOpenFiles lifts the soft limit on open files to the hard limit, since
// every WebSocket holds a descriptor and the usual soft limit of 1,024 would
// cap the connections far below what memory allows. It logs both limits,
// and a failure only as a warning: the server still runs under the old one.
func raiseOpenFiles(logger *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		logger.Warn("read open files limit", "err", err)
		return
	}
	was := lim.Cur
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			logger.Warn("raise open files limit", "soft", was, "hard", lim.Max, "err", err)
			return
		}
	}
	logger.Info("open files limit", "soft", lim.Cur, "was", was, "hard", lim.Max)
}
