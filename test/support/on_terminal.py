"""Runs a command with a pseudo-terminal as its standard output, as a person's
shell does, and relays what it writes to this process's standard output.
A SIGTERM to this process is passed on to the command. With
`--answer PROMPT ANSWER` first, it types ANSWER and Enter once the command
has printed PROMPT, as a person answering a question does."""
import os
import pty
import signal
import sys

args = sys.argv[1:]
prompt, answer = (args[1].encode(), args[2].encode()) if args[0] == "--answer" else (None, None)
command = args[3:] if prompt is not None else args

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
seen = b""
while True:
    try:
        data = os.read(fd, 65536)
    except InterruptedError:
        continue
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    if prompt is not None:
        seen += data
        if prompt in seen:
            os.write(fd, answer + b"\n")
            prompt = None
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else 1)
