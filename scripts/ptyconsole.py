"""A console on a pseudo-terminal, driven as a user would: start a command, wait for patterns,
type at human speed. Shared by the interactive checks (interactive-check.py, shell-check.py)."""
import os
import pty
import re
import select
import sys
import time


class Console:
    def __init__(self, argv, env=None):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env if env is not None else dict(os.environ))
        self.out = b""
        self.cursor = 0     # where the next pattern may start: after the input last typed

    def wait_for(self, pattern, seconds):
        """Reads the console until `pattern` (bytes regex) appears at or after the cursor."""
        end = time.time() + seconds
        while True:
            if re.search(pattern, self.out[self.cursor:]):
                return True
            if time.time() >= end:
                return False
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.out += os.read(self.fd, 65536)
                except OSError:
                    return bool(re.search(pattern, self.out[self.cursor:]))

    def type(self, text):
        self.cursor = len(self.out)
        for ch in text:
            os.write(self.fd, ch.encode())
            time.sleep(0.03)

    def tail(self, n=15):
        return self.out.decode(errors="replace").replace("\r", "").splitlines()[-n:]

    def kill(self):
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass

    def exit_status(self):
        """The command's exit code (-1 when it did not exit normally)."""
        _, status = os.waitpid(self.pid, 0)
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1

    def fail(self, name, step):
        """Prints `FAIL name: step` with the console's tail, stops the command and exits 1."""
        print(f"FAIL {name}: {step}")
        for line in self.tail():
            print("    " + line)
        self.kill()
        sys.exit(1)

    def run_steps(self, name, steps):
        """Steps of (text to type or None, pattern to wait for, seconds, what failed)."""
        for text, pattern, seconds, problem in steps:
            if text:
                self.type(text)
            if not self.wait_for(pattern, seconds):
                self.fail(name, problem)

    def expect_exit_zero(self, name):
        status = self.exit_status()
        if status == 0:
            print(f"PASS {name}")
        else:
            self.fail(name, f"exit status {status}")
