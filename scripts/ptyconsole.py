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


def uboot_sd_boot_steps(files, prompt, console, cpus):
    """U-Boot steps that list the SD card's FAT partition, load Linux, its device tree and
    initramfs (`files`: kernel, dtb, initrd names) and `booti` them with `console=CONSOLE`, then
    type a command in the initramfs's shell and power off from it."""
    import re
    kernel, dtb, initrd = files
    steps = [("ls mmc 0:1\r", rb"\d+ +" + re.escape(f.encode()), 60, f"ls mmc 0:1 did not list {f}") for f in files]
    return steps + [
        (f"fatload mmc 0:1 ${{kernel_addr_r}} {kernel}\r", rb"bytes read", 300, "fatload of the kernel failed"),
        (f"fatload mmc 0:1 ${{fdt_addr_r}} {dtb}\r", rb"bytes read", 60, "fatload of the device tree failed"),
        (f"fatload mmc 0:1 ${{ramdisk_addr_r}} {initrd}\r", rb"bytes read", 120, "fatload of the initramfs failed"),
        (f"setenv bootargs console={console} minos.test=shell\r", prompt, 30, "setenv failed"),
        ("booti ${kernel_addr_r} ${ramdisk_addr_r}:${filesize} ${fdt_addr_r}\r", rb"Starting kernel", 120, "booti did not start the kernel"),
        (None, f"SMP: Total of {cpus} processors activated".encode(), 240, f"Linux did not bring up the {cpus} CPUs"),
        (None, rb"MINOS-INIT: shell", 240, "Linux did not reach the shell"),
        (None, rb"# ", 60, "no shell prompt"),
        ("echo booted-$((6*7))-from-$(cat /proc/cmdline | wc -w)-args\r", rb"booted-42-from-2-args", 60, "the shell did not run the typed command"),
        ("poweroff -f\r", rb"reboot: Power down", 60, "Linux did not power off"),
    ]
