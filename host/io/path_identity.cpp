#include "flowfit/io/path_identity.hpp"

#include <sys/stat.h>

#include <system_error>

#include "flowfit/error.hpp"

namespace flowfit::io {

namespace fs = std::filesystem;

bool same_file(const fs::path& a, const fs::path& b) {
  if (a.empty() || b.empty()) return false;
  struct stat sa {};
  struct stat sb {};
  const bool a_exists = ::stat(a.c_str(), &sa) == 0;
  const bool b_exists = ::stat(b.c_str(), &sb) == 0;
  if (a_exists && b_exists) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  // At most one exists: they can only be the same file if both names resolve to one path (an
  // output not yet written cannot be a hard link of anything).
  std::error_code ec_a, ec_b;
  const fs::path ca = fs::weakly_canonical(fs::absolute(a), ec_a);
  const fs::path cb = fs::weakly_canonical(fs::absolute(b), ec_b);
  if (ec_a || ec_b) return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  return ca == cb;
}

void refuse_output_over_input(const fs::path& output, const std::string& option,
                              const std::vector<NamedInput>& inputs) {
  for (const NamedInput& in : inputs) {
    if (in.path.empty() || !same_file(output, in.path)) continue;
    const std::string how = in.path == output ? "" : " (the same file under another name)";
    throw ConfigError(option, "'" + output.string() + "' would overwrite the input " + in.role +
                                  " '" + in.path.string() + "'" + how +
                                  "; choose another output name");
  }
}

}  // namespace flowfit::io
