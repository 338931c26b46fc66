"""Runs a command with a pseudo-terminal as its standard output, as a person's
shell does, and relays what it writes to this process's standard output.
A SIGTERM to this process is passed on to the command. With
`--answer PROMPT ANSWER` first, it types ANSWER and Enter once the command
has printed PROMPT, as a person answering a question does. With
`--answer-once PATH PROMPT ANSWER` instead, it answers once PATH exists too:
a person who paused before answering, while the world moved on."""
import os
import pty
import select
import signal
import sys

args = sys.argv[1:]
gate = None
if args[0] == "--answer-once":
    gate, args = args[1], ["--answer"] + args[2:]
prompt, answer = (args[1].encode(), args[2].encode()) if args[0] == "--answer" else (None, None)
command = args[3:] if prompt is not None else args

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
seen = b""
while True:
    if prompt is not None and prompt in seen and (gate is None or os.path.exists(gate)):
        os.write(fd, answer + b"\n")
        prompt = None
    if not select.select([fd], [], [], 0.02)[0]:
        continue
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
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else 1)
