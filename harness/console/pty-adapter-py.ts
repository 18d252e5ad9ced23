// The program behind PtyAdapter, in Python (Node can neither make a pseudo-terminal master nor put
// one in packet mode). Kept as text and run with `python3 -c`: the harness is also loaded from
// Playwright configs outside the repository, where a module cannot find files next to itself.
export const ADAPTER_PY = String.raw`
# The USB-serial adapter of pty-adapter.ts: a pair of pseudo-terminals, the board's end and the
# host's end, and the relay between them. One process per adapter, driven over stdin:
#   plug    -> "plugged <board end> <host end>"   a new pair (new /dev/pts numbers)
#   unplug  -> "unplugged"                        both ends vanish, as at a power cut
# It ends at EOF on stdin, so it cannot outlive the harness however the harness ends.
#
# Why not socat: what one side sends must wait until the other side's port is open AND set up.
# An opener (serialport, pyserial, most terminal programs) flushes the port's input right after
# open(); a byte relayed between its open() and that flush is thrown away, and socat's wait-slave
# relays as soon as it sees the open. Here each end's master is in packet mode (TIOCPKT), which
# reports the opener's flush (TIOCPKT_FLUSHREAD); bytes for that end wait in its FIFO until then.
# An opener that never flushes gets them SETUP_WAIT seconds after its open. Python because Node
# cannot make a pseudo-terminal master or set packet mode.
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time
import tty

SETUP_WAIT = 2.0
POLL_CLOSED_MS = 5  # how often an end nobody has open is checked for an opener
FIFO_MAX = 1 << 20  # a real adapter's FIFO is small; this only bounds memory
FLUSHREAD = 1  # TIOCPKT_FLUSHREAD


class End:
    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        tty.setraw(slave)  # raw, echo off: the adapter passes bytes as they are
        os.close(slave)
        fcntl.ioctl(self.master, termios.TIOCPKT, struct.pack('i', 1))
        os.set_blocking(self.master, False)
        self.opened_at = None  # when an opener was seen; None while nobody has the end open
        self.ready = False  # opened and set up: bytes may go to it
        self.fifo = bytearray()  # bytes waiting for this end's opener
        self.other = self  # the pair's other end, set once both exist

    def nobody_has_it(self):
        p = select.poll()
        p.register(self.master, select.POLLIN)
        return any(ev & select.POLLHUP for _, ev in p.poll(0))

    def check_open(self, now):
        """Notices an opener; returns what a past opener sent and we have not read yet."""
        if self.opened_at is None:
            if self.nobody_has_it():
                # Its bytes still count; a flush it made is not the next opener's.
                left = bytearray()
                while (data := self.read()) is not None:
                    left += data
                self.ready = False
                return bytes(left)
            self.opened_at = now
        if not self.ready and now - self.opened_at >= SETUP_WAIT:
            self.ready = True
        return b''

    def closed(self):
        self.opened_at = None
        self.ready = False

    def read(self):
        """What the opener sent (b'' for a status packet, None when nothing is left); marks its
        flush, and the opener going away."""
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return None
        except OSError:  # EIO: the last opener closed its end, and all it sent has been read
            self.closed()
            return None
        if not data:
            return None
        if data[0] != 0:  # a status packet
            if data[0] & FLUSHREAD and self.opened_at is not None:
                self.ready = True
            return b''
        return data[1:]

    def put(self, data):
        self.fifo += data[: max(0, FIFO_MAX - len(self.fifo))]

    def send(self):
        try:
            n = os.write(self.master, self.fifo)
        except BlockingIOError:
            return
        except OSError:
            self.closed()
            return
        del self.fifo[:n]

    def close(self):
        os.close(self.master)


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the harness's to handle; EOF ends us
    stdin = sys.stdin.fileno()
    ends = []
    pending = b''
    while True:
        now = time.monotonic()
        for e in ends:
            left = e.check_open(now)
            if left:
                e.other.put(left)
        p = select.poll()
        p.register(stdin, select.POLLIN)
        by_fd = {}
        for e in ends:
            if e.opened_at is not None:
                by_fd[e.master] = e
                p.register(e.master, select.POLLIN | select.POLLPRI | (select.POLLOUT if e.ready and e.fifo else 0))
        waiting = any(e.opened_at is None or not e.ready for e in ends)
        for fd, ev in p.poll(POLL_CLOSED_MS if waiting else None):
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                pending += chunk
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    ends = command(line.decode().strip(), ends)
                continue
            e = by_fd.get(fd)
            if e is None or e not in ends:
                continue
            if ev & (select.POLLIN | select.POLLPRI):
                data = e.read()
                if data:
                    e.other.put(data)
            elif ev & (select.POLLHUP | select.POLLERR):
                e.closed()
            if ev & select.POLLOUT and e.ready:
                e.send()
        for e in ends:
            if e.ready and e.fifo:
                e.send()


def command(cmd, ends):
    for e in ends:
        e.close()
    if cmd == 'unplug':
        print('unplugged', flush=True)
        return []
    if cmd == 'plug':
        try:
            board, host = End(), End()
        except OSError as err:
            print('error cannot make a pseudo-terminal pair: %s' % err, flush=True)
            return []
        board.other, host.other = host, board
        print('plugged %s %s' % (board.path, host.path), flush=True)
        return [board, host]
    print('error unknown command %r' % cmd, flush=True)
    return []


if __name__ == '__main__':
    main()
`;
