// The flowfit command line. Subcommands live in cmd_<name>.cpp and register themselves
// (command_registry.hpp); this file holds the global options and turns every error into one
// clear line on stderr and a documented exit code (exit_codes.hpp, docs/cli.md).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/version.hpp"
#include "tools/flowfit/cli_context.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/exit_status.hpp"
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
4 backend unavailable, 5 check failed (compare, --strict), 6 cannot write an output,
7 device (GPU) failure, 130 interrupted.
Run 'flowfit SUBCOMMAND --help' for the options of a subcommand; docs/cli.md has examples.)";

// "did you mean" for the first misspelt subcommand or option of the command line, as for plan
// keys (closest_match). CLI11 only says what it did not expect.
std::string suggestion(const CLI::App& app, const CLI::App* given, int argc, char** argv) {
  std::vector<std::string> subcommands, options;
  for (const CLI::App* sub : app.get_subcommands({})) subcommands.push_back(sub->get_name());
  auto add_options = [&](const CLI::App* a) {
    for (const CLI::Option* o : a->get_options({}))
      for (const std::string& name : o->get_lnames()) options.push_back("--" + name);
  };
  add_options(&app);
  if (given != &app) add_options(given);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0) {
      const bool inline_value = arg.find('=') != std::string::npos;
      arg = arg.substr(0, arg.find('='));
      if (std::find(options.begin(), options.end(), arg) != options.end()) {
        const CLI::Option* o = given->get_option_no_throw(arg);
        if (o == nullptr) o = app.get_option_no_throw(arg);
        if (o != nullptr && o->get_type_size() != 0 && !inline_value) ++i;  // skip its value
        continue;
      }
      const std::string near = flowfit::pipeline::closest_match(arg, options);
      if (!near.empty()) return " (unknown option '" + arg + "'; did you mean '" + near + "'?)";
      return "";
    }
    if (given == &app && arg[0] != '-') {  // the first word should have been a subcommand
      if (std::find(subcommands.begin(), subcommands.end(), arg) != subcommands.end()) return "";
      const std::string near = flowfit::pipeline::closest_match(arg, subcommands);
      return near.empty() ? " ('" + arg + "' is not a subcommand; see 'flowfit --help')"
                          : " ('" + arg + "' is not a subcommand; did you mean '" + near + "'?)";
    }
  }
  return "";
}

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
  app.add_option("--device", global.device,
                 "CUDA device index for the cuda and auto backends (0: the first)")
      ->check(CLI::Range(0, 1023))
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
    CLI::App* given = &app;
    for (const auto& [sub, action] : commands)
      if (sub->parsed()) {
        where += " " + sub->get_name();
        given = sub;
      }
    std::cerr << "flowfit: usage error: " << e.what() << suggestion(app, given, argc, argv)
              << "\nRun '" << where << " --help' for the options.\n";
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
  } catch (...) {
    const ExitStatus s = exit_status_of(std::current_exception());
    return fail(s.code, s.kind, s.message);
  }
}
