#pragma once
// statenet runs each command in a child process and waits for it. A crash inside a library on
// a corrupt input file (libhdf5 and libmatio crash on some; docs/reliability.md) then ends the
// command with one line naming the file being read, and the exit status 70, instead of a bare
// "Segmentation fault".
//
// The parent forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to the child (a scheduler's stop
// reaches the command) and ignores SIGINT and SIGQUIT, which a terminal sends to both; a child
// ended by such a signal (or a closed pipe) ends the parent the same way. If the parent dies,
// the child is killed. A read that spends STATENET_READ_STALL_S seconds of CPU (default 60, 0 =
// no limit) on one file without reading a byte is a library looping on a corrupt file (libhdf5
// does on some): the child is killed and the line names the file, exit status 70. A slow disk
// blocks without using CPU and never trips it. STATENET_NO_SUPERVISOR=1 runs commands in-process (for a
// debugger).

namespace statenet {

// In the parent: waits for the child and returns the exit status main should return. In the
// child (or when supervision is off): returns -1, and main goes on to run the command.
int run_command_in_child();

}  // namespace statenet
