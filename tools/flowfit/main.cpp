// The flowfit command line. Subcommands live in cmd_<name>.cpp and register themselves
// (command_registry.hpp); this file holds the global options and turns every error into one
// clear line on stderr and a documented exit code (exit_codes.hpp, docs/cli.md).
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/version.hpp"
#include "tools/flowfit/cli_context.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/interrupt_guard.hpp"

namespace {

using namespace flowfit::cli;

int fail(int code, const std::string& kind, const std::string& message) {
  remove_temporary_outputs();  // AtomicFile already cleans up; this is a safety net
  // Messages echo input; the escaping keeps control sequences off the terminal.
  std::cerr << "flowfit: " << kind << ": " << flowfit::sanitize_message(message) << '\n';
  return code;
}

const char* kFooter = R"(
Exit codes: 0 ok, 1 internal error, 2 usage or plan error, 3 bad input data,
4 backend unavailable, 5 check failed (compare, --strict), 130 interrupted.
Run 'flowfit SUBCOMMAND --help' for the options of a subcommand; docs/cli.md has examples.)";

int run(int argc, char** argv) {
  CLI::App app{
      "flowfit: harmonize census-block-group migration matrices with census tables by "
      "staged iterative proportional fitting (IPF), faithful to MIGRATE.",
      "flowfit"};
  app.set_version_flag("--version", "flowfit " + std::string(flowfit::version()) +
                                        (flowfit::cuda_built() ? " (CUDA backend built)"
                                                               : " (CUDA backend not built)"));
  app.require_subcommand(1, 1);
  app.fallthrough();
  app.footer(kFooter);

  GlobalOptions global;
  CLI::Option* backend_opt =
      app.add_option("--backend", global.backend,
                     "Where to fit: auto (CUDA when a device is present, else CPU), cpu, cuda, "
                     "reference (serial, for debugging)")
          ->check(CLI::IsMember({"auto", "cpu", "cuda", "reference"}))
          ->capture_default_str();
  CLI::Option* threads_opt =
      app.add_option("--threads", global.threads, "CPU threads (0: all cores)")
          ->check(CLI::Range(0, 4096))
          ->capture_default_str();
  app.add_flag("-q,--quiet", global.console.quiet, "Only warnings and errors on stderr");
  app.add_flag("-v,--verbose", global.console.verbosity, "More detail on stderr");

  std::vector<std::pair<CLI::App*, CommandAction>> commands;
  for (const CommandInfo& info : registered_commands()) {
    CLI::App* sub = app.add_subcommand(info.name, info.description);
    sub->fallthrough();
    commands.emplace_back(sub, info.setup(*sub, global));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "flowfit";
    for (const auto& [sub, action] : commands)
      if (sub->parsed()) where += " " + sub->get_name();
    std::cerr << "flowfit: usage error: " << e.what() << "\nRun '" << where
              << " --help' for the options.\n";
    return kExitUsage;
  }
  global.backend_given = backend_opt->count() > 0;
  global.threads_given = threads_opt->count() > 0;
  apply_thread_option(global);

  for (auto& [sub, action] : commands)
    if (sub->parsed()) return action();
  return kExitUsage;  // unreachable: require_subcommand(1)
}

}  // namespace

int main(int argc, char** argv) {
  install_interrupt_guard();
  try {
    return run(argc, argv);
  } catch (const CheckFailed& e) {
    return fail(kExitCheckFailed, "check failed", e.what());
  } catch (const flowfit::BackendUnavailable& e) {
    return fail(kExitNoBackend, "backend unavailable", e.what());
  } catch (const flowfit::ConfigError& e) {
    return fail(kExitUsage, "error", e.what());
  } catch (const flowfit::InputError& e) {
    return fail(kExitBadInput, "error", e.what());
  } catch (const flowfit::Error& e) {
    return fail(kExitBadInput, "error", e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(kExitBadInput, "error", e.what());
  } catch (const std::bad_alloc&) {
    return fail(kExitInternal, "error", "out of memory");
  } catch (const std::exception& e) {
    return fail(kExitInternal, "internal error", e.what());
  }
}
