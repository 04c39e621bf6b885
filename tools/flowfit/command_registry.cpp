#include "tools/flowfit/command_registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace flowfit::cli {
namespace {

// A function-local static: registrars in other files may run before any global of this file
// is constructed (static initialization order across translation units is unspecified).
std::vector<CommandInfo>& registry() {
  static std::vector<CommandInfo> commands;
  return commands;
}

}  // namespace

void register_command(CommandInfo info) {
  for (const auto& c : registry())
    if (c.name == info.name)
      throw std::logic_error("flowfit: subcommand '" + info.name + "' registered twice");
  registry().push_back(std::move(info));
}

std::vector<CommandInfo> registered_commands() {
  std::vector<CommandInfo> out = registry();
  std::stable_sort(out.begin(), out.end(), [](const CommandInfo& a, const CommandInfo& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
  return out;
}

}  // namespace flowfit::cli
