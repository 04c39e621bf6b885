#pragma once
// Subcommands register themselves: each cmd_<name>.cpp defines a static CommandRegistrar, so a
// new subcommand is one new file and main.cpp never changes.
//
//   namespace {
//   CommandAction setup_hello(CLI::App& app, const GlobalOptions& global) {
//     auto name = std::make_shared<std::string>("world");
//     app.add_option("--name", *name, "Who to greet");
//     return [name, &global] { global.console.info("hello " + *name); return kExitOk; };
//   }
//   const CommandRegistrar hello{{"hello", "Greets someone", 100, setup_hello}};
//   }  // namespace
//
// setup() runs before parsing (declare options there, bound to state the action owns); the
// returned action runs after a successful parse, only for the subcommand that was given.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/flowfit/cli_context.hpp"

namespace flowfit::cli {

// Runs the subcommand; returns the process exit code (see exit_codes.hpp). Throws flowfit
// exceptions for main() to report.
using CommandAction = std::function<int()>;
using CommandSetup = std::function<CommandAction(CLI::App& app, const GlobalOptions& global)>;

struct CommandInfo {
  std::string name;
  std::string description;
  int order = 100;  // position in --help (ascending), then by name
  CommandSetup setup;
};

void register_command(CommandInfo info);
// Every registered command, sorted by (order, name).
std::vector<CommandInfo> registered_commands();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandInfo info) { register_command(std::move(info)); }
};

}  // namespace flowfit::cli
