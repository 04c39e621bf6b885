#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/error.hpp"

namespace fs = std::filesystem;

namespace flowfit::analysis {

const FieldSpec* PackageResource::field(const std::string& name) const {
  for (const FieldSpec& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const PackageResource& DataPackage::resource(const std::string& name) const {
  std::string names;
  for (const PackageResource& r : resources) {
    if (!name.empty() && r.name == name) return r;
    names += (names.empty() ? "" : ", ") + r.name;
  }
  if (name.empty() && resources.size() == 1) return resources.front();
  throw ConfigError("--resource", (name.empty() ? std::string("the package has several resources")
                                                : "no resource '" + name + "'") +
                                      " in " + descriptor.string() + "; choose one of: " + names);
}

bool is_datapackage(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fs::is_regular_file(path / "datapackage.json", ec);
  return path.filename() == "datapackage.json" && fs::is_regular_file(path, ec);
}

DataPackage read_datapackage(const fs::path& path) {
  std::error_code ec;
  DataPackage pkg;
  pkg.descriptor = fs::is_directory(path, ec) ? path / "datapackage.json" : path;
  const std::string where = pkg.descriptor.string();
  std::ifstream in(pkg.descriptor, std::ios::binary);
  if (!in) throw InputError(where, 0, "datapackage.json", "cannot open the package descriptor");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json d;
  try {
    d = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(where, 0, "datapackage.json", std::string("invalid JSON: ") + e.what());
  }
  if (!d.is_object() || !d.contains("resources") || !d["resources"].is_array())
    throw InputError(where, 0, "resources", "a data package needs a \"resources\" array");
  pkg.name = d.value("name", std::string());
  const fs::path base = pkg.descriptor.parent_path();
  int index = 0;
  for (const auto& r : d["resources"]) {
    const std::string field = "resources[" + std::to_string(index++) + "]";
    if (!r.is_object() || !r.contains("name") || !r["name"].is_string())
      throw InputError(where, 0, field, "a resource needs a \"name\" string");
    PackageResource res;
    res.name = r["name"].get<std::string>();
    if (!r.contains("path") || !r["path"].is_string())
      throw InputError(where, 0, field + ".path",
                       "resource '" + res.name +
                           "' needs a \"path\" string (inline data and multi-file resources are "
                           "not supported)");
    const std::string rel = r["path"].get<std::string>();
    bool escapes = false;
    for (const fs::path& part : fs::path(rel)) escapes = escapes || part == "..";
    if (rel.find("://") != std::string::npos || fs::path(rel).is_absolute() || escapes)
      throw InputError(where, 0, field + ".path",
                       "resource '" + res.name + "' path '" + rel +
                           "' must be a relative path inside the package (no URLs, no '..')");
    res.file = base / rel;
    if (!fs::is_regular_file(res.file, ec)) {
      const fs::path beside = base / fs::path(rel).filename();
      if (!fs::is_regular_file(beside, ec))
        throw InputError(where, 0, field + ".path",
                         "resource '" + res.name + "': neither '" + res.file.string() + "' nor '" +
                             beside.string() + "' exists");
      pkg.warnings.push_back("resource '" + res.name + "' says path '" + rel +
                             "' but the file sits beside datapackage.json; using " +
                             beside.string());
      res.file = beside;
    }
    if (r.contains("schema") && r["schema"].is_object() && r["schema"].contains("fields"))
      for (const auto& f : r["schema"]["fields"]) {
        if (!f.is_object() || !f.contains("name")) continue;
        FieldSpec fs_;
        fs_.name = f["name"].get<std::string>();
        fs_.type = f.value("type", std::string("string"));
        fs_.description = f.value("description", std::string());
        if (f.contains("constraints") && f["constraints"].is_object())
          fs_.pattern = f["constraints"].value("pattern", std::string());
        res.fields.push_back(std::move(fs_));
      }
    pkg.resources.push_back(std::move(res));
  }
  if (pkg.resources.empty()) throw InputError(where, 0, "resources", "the package has no resource");
  return pkg;
}

}  // namespace flowfit::analysis
