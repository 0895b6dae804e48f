/// The Linux AArch64 system calls `sim user` emulates (numbers from the generic table,
/// include/uapi/asm-generic/unistd.h): each one's name and the family that handles it. A number
/// not listed returns -ENOSYS with one warning per call number.
extension UserProcess {
    enum SyscallFamily { case files, memory, process, threads, signals, time, misc }

    static let syscalls: [UInt64: (name: String, family: SyscallFamily)] = {
        let rows: [(SyscallFamily, [(UInt64, String)])] = [
            (.files, [(17, "getcwd"), (23, "dup"), (24, "dup3"), (25, "fcntl"), (33, "mknodat"), (34, "mkdirat"),
                      (35, "unlinkat"), (36, "symlinkat"), (37, "linkat"), (38, "renameat"), (43, "statfs"), (44, "fstatfs"),
                      (46, "ftruncate"), (48, "faccessat"), (49, "chdir"), (50, "fchdir"), (52, "fchmod"), (53, "fchmodat"), (54, "fchownat"),
                      (56, "openat"), (57, "close"), (59, "pipe2"), (61, "getdents64"), (62, "lseek"), (63, "read"), (64, "write"),
                      (65, "readv"), (66, "writev"), (67, "pread64"), (68, "pwrite64"), (71, "sendfile"), (72, "pselect6"),
                      (73, "ppoll"), (78, "readlinkat"), (79, "newfstatat"), (80, "fstat"), (88, "utimensat"), (29, "ioctl"),
                      (276, "renameat2"), (439, "faccessat2")]),
            (.memory, [(214, "brk"), (215, "munmap"), (216, "mremap"), (222, "mmap"), (226, "mprotect"), (227, "msync"),
                       (228, "mlock"), (229, "munlock"), (230, "mlockall"), (231, "munlockall"), (232, "mincore"), (233, "madvise")]),
            (.process, [(92, "personality"), (93, "exit"), (94, "exit_group"), (123, "sched_getaffinity"), (154, "setpgid"), (155, "getpgid"),
                        (156, "getsid"), (157, "setsid"), (158, "getgroups"), (160, "uname"), (166, "umask"), (167, "prctl"),
                        (172, "getpid"), (173, "getppid"), (174, "getuid"), (175, "geteuid"), (176, "getgid"), (177, "getegid"),
                        (179, "sysinfo"), (220, "clone"), (221, "execve"), (260, "wait4"), (261, "prlimit64"), (163, "getrlimit"),
                        (164, "setrlimit"), (278, "getrandom"), (293, "rseq")]),
            (.threads, [(96, "set_tid_address"), (98, "futex"), (99, "set_robust_list"), (124, "sched_yield"), (133, "rt_sigsuspend"), (178, "gettid")]),
            (.signals, [(129, "kill"), (130, "tkill"), (131, "tgkill"), (132, "sigaltstack"),
                        (134, "rt_sigaction"), (135, "rt_sigprocmask"), (136, "rt_sigpending"), (137, "rt_sigtimedwait"),
                        (138, "rt_sigqueueinfo"), (139, "rt_sigreturn"), (240, "rt_tgsigqueueinfo")]),
            (.time, [(101, "nanosleep"), (102, "getitimer"), (103, "setitimer"), (113, "clock_gettime"), (114, "clock_getres"),
                     (115, "clock_nanosleep"), (153, "times"), (165, "getrusage"), (169, "gettimeofday")]),
        ]
        var table: [UInt64: (name: String, family: SyscallFamily)] = [:]
        for (family, calls) in rows { for (n, name) in calls { table[n] = (name, family) } }
        return table
    }()
}
