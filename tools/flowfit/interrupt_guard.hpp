#pragma once
// Ctrl-C (SIGINT), SIGTERM and SIGHUP leave no partial output behind.
//
// Every output is written through io::AtomicFile, which writes `.<name>.tmp.<pid>` next to the
// target and renames it at the end; an exception removes the temporary file, but a signal would
// kill the process first. So main() blocks these signals in every thread (before any thread
// starts) and a watcher thread waits for them with sigwait(): on a signal it removes this
// process's temporary files from every directory registered here, says so on stderr and exits
// with 128 + signal number. The watcher runs in normal thread context, so it may use the file
// system freely (a signal handler could not).
#include <filesystem>

namespace flowfit::cli {

// Call first thing in main(): blocks the signals and starts the watcher.
void install_interrupt_guard();

// Outputs will be written into the directory of `output_path` (or into `output_path` itself
// when `is_directory`): its temporary files are removed on a signal.
void guard_output(const std::filesystem::path& output_path, bool is_directory = false);

// Removes this process's temporary files from the registered directories; returns how many.
// (What the watcher does on a signal; also used after errors as a safety net.)
int remove_temporary_outputs();

}  // namespace flowfit::cli
