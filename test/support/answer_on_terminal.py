"""Runs a command on a pseudo-terminal, as a person's shell does, and types
ANSWER and Enter once it has printed PROMPT: python3 answer_on_terminal.py
PROMPT ANSWER COMMAND... Relays everything the command writes to standard
output and exits as it did."""
import os
import pty
import sys

prompt, answer, command = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b""
answered = False
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    seen += data
    if not answered and prompt in seen:
        os.write(fd, answer + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
