#include <filesystem>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/version.hpp"

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace flowfit::analysis {

FieldSpec geoid_field(std::string name, int length, std::string description) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = "string";
  f.description = std::move(description);
  f.pattern = "^[0-9]{" + std::to_string(length) + "}$";
  f.required = true;
  return f;
}

FieldSpec number_field(std::string name, std::string description, std::string unit) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = "number";
  f.description = std::move(description);
  f.unit = std::move(unit);
  return f;
}

FieldSpec text_field(std::string name, std::string description, bool required) {
  FieldSpec f;
  f.name = std::move(name);
  f.description = std::move(description);
  f.required = required;
  return f;
}

struct PackageWriter::State {
  ordered_json descriptor;
  ordered_json resources = ordered_json::array();
  ordered_json sources = ordered_json::array();
  ordered_json notes = ordered_json::object();
  std::unique_ptr<io::CsvWriter> writer;
  TableSpec spec;
};

namespace {

void check_name(const std::string& name, const std::string& what) {
  bool ok = !name.empty();
  for (char c : name)
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  if (!ok)
    throw ConfigError(what, "'" + name +
                                "' is not a valid data package name (lowercase letters, digits, "
                                "'-', '_', '.')");
}

ordered_json field_json(const FieldSpec& f) {
  ordered_json j;
  j["name"] = f.name;
  j["type"] = f.type;
  if (!f.description.empty()) j["description"] = f.description;
  if (!f.unit.empty()) j["unit"] = f.unit;
  ordered_json constraints = ordered_json::object();
  if (f.required) constraints["required"] = true;
  if (!f.pattern.empty()) constraints["pattern"] = f.pattern;
  if (!constraints.empty()) j["constraints"] = constraints;
  return j;
}

}  // namespace

PackageWriter::PackageWriter(fs::path dir, std::string name, std::string title,
                             std::string description)
    : dir_(std::move(dir)), state_(std::make_unique<State>()) {
  check_name(name, "package name");
  std::error_code ec;
  if (fs::exists(dir_, ec) && !fs::is_directory(dir_, ec))
    throw ConfigError("--output",
                      "'" + dir_.string() + "' is a file; a data package is written to a folder");
  if (!fs::exists(dir_, ec) && !fs::create_directory(dir_, ec))
    throw ConfigError("--output", "cannot create the folder '" + dir_.string() +
                                      "': " + (ec ? ec.message() : "unknown error") +
                                      " (its parent must exist)");
  state_->descriptor["profile"] = "tabular-data-package";
  state_->descriptor["name"] = name;
  state_->descriptor["title"] = title;
  state_->descriptor["description"] = description;
  state_->descriptor["created_by"] = "flowfit " + std::string(version());
}

PackageWriter::~PackageWriter() = default;

fs::path PackageWriter::resource_path(const std::string& resource) const {
  return dir_ / (resource + ".csv");
}

io::CsvWriter& PackageWriter::table(TableSpec spec) {
  if (state_->writer) throw Error("PackageWriter: finish_table() the previous resource first");
  check_name(spec.name, "resource name");
  std::vector<std::string> header;
  for (const FieldSpec& f : spec.fields) header.push_back(f.name);
  for (const std::string& k : spec.primary_key) {
    bool found = false;
    for (const FieldSpec& f : spec.fields) found = found || f.name == k;
    if (!found)
      throw Error("PackageWriter: primary key '" + k + "' is not a field of " + spec.name);
  }
  state_->writer = std::make_unique<io::CsvWriter>(resource_path(spec.name), header);
  state_->spec = std::move(spec);
  return *state_->writer;
}

void PackageWriter::finish_table() {
  if (!state_->writer) throw Error("PackageWriter: no open resource");
  state_->writer->commit();
  state_->writer.reset();
  const TableSpec& spec = state_->spec;
  const fs::path file = resource_path(spec.name);
  ordered_json r;
  r["name"] = spec.name;
  r["path"] = file.filename().string();
  r["profile"] = "tabular-data-resource";
  if (!spec.title.empty()) r["title"] = spec.title;
  if (!spec.description.empty()) r["description"] = spec.description;
  r["format"] = "csv";
  r["mediatype"] = "text/csv";
  r["encoding"] = "utf-8";
  r["bytes"] = static_cast<int64_t>(fs::file_size(file));
  r["hash"] = "sha256:" + io::file_sha256(file);
  ordered_json schema;
  schema["fields"] = ordered_json::array();
  for (const FieldSpec& f : spec.fields) schema["fields"].push_back(field_json(f));
  if (!spec.primary_key.empty()) schema["primaryKey"] = spec.primary_key;
  schema["missingValues"] = ordered_json::array({""});
  r["schema"] = schema;
  state_->resources.push_back(std::move(r));
}

void PackageWriter::add_source(std::string title, std::string path) {
  state_->sources.push_back({{"title", std::move(title)}, {"path", std::move(path)}});
}

void PackageWriter::add_note(std::string key, std::string value) {
  state_->notes[std::move(key)] = std::move(value);
}

void PackageWriter::commit() {
  if (state_->writer) finish_table();
  if (state_->resources.empty()) throw Error("PackageWriter: a data package needs a resource");
  ordered_json d = state_->descriptor;
  if (!state_->sources.empty()) d["sources"] = state_->sources;
  if (!state_->notes.empty()) d["flowfit"] = state_->notes;
  d["resources"] = state_->resources;
  io::AtomicFile out(dir_ / "datapackage.json");
  out.write(d.dump(2) + "\n");
  out.commit();
}

}  // namespace flowfit::analysis
