#pragma once
// Frictionless data packages (https://specs.frictionlessdata.io/data-package/, v1): a folder
// with datapackage.json describing CSV resources by Table Schema (field names, types, formats,
// constraints, primary keys). flowfit writes every analysis output as one, and reads attribute
// tables (e.g. county exposure segregation) from one.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowfit/io/csv_writer.hpp"

namespace flowfit::analysis {

// One Table Schema field. type: string | number | integer | boolean.
struct FieldSpec {
  std::string name;
  std::string type = "string";
  std::string description;
  std::string unit;     // written as the field's "unit" property (e.g. "people", "miles")
  std::string pattern;  // constraints.pattern (e.g. ^[0-9]{5}$ for county GEOIDs)
  bool required = false;
};

struct TableSpec {
  std::string name;  // resource name: lowercase letters, digits, '-', '_', '.'
  std::string title;
  std::string description;
  std::vector<FieldSpec> fields;
  std::vector<std::string> primary_key;
};

// A GEOID field: a string of exactly `length` digits (2 state, 5 county, 11 tract, 12 CBG).
FieldSpec geoid_field(std::string name, int length, std::string description);
// A number field with an optional unit; a string field, optionally required.
FieldSpec number_field(std::string name, std::string description, std::string unit = "");
FieldSpec text_field(std::string name, std::string description, bool required = false);

// Writes DIR/<resource>.csv files and DIR/datapackage.json, every file atomically. Resources
// are written one at a time: table() opens one, finish_table() commits it and records its
// sha256 hash and size; commit() writes datapackage.json last, so a package whose descriptor
// exists is complete. Empty fields are missing values (Table Schema's default missingValues).
class PackageWriter {
 public:
  // Creates DIR (not its parents) when missing; ConfigError when DIR is a file.
  PackageWriter(std::filesystem::path dir, std::string name, std::string title,
                std::string description);
  ~PackageWriter();
  PackageWriter(const PackageWriter&) = delete;
  PackageWriter& operator=(const PackageWriter&) = delete;

  io::CsvWriter& table(TableSpec spec);
  void finish_table();
  // Package-level provenance: "sources" entries and free-text notes ("flowfit" property).
  void add_source(std::string title, std::string path);
  void add_note(std::string key, std::string value);
  void commit();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path resource_path(const std::string& resource) const;

 private:
  struct State;
  std::filesystem::path dir_;
  std::unique_ptr<State> state_;
};

// ---- reading -----------------------------------------------------------------------------------

struct PackageResource {
  std::string name;
  std::filesystem::path file;  // resolved on disk
  std::vector<FieldSpec> fields;
  const FieldSpec* field(const std::string& name) const;
};

struct DataPackage {
  std::filesystem::path descriptor;
  std::string name;
  std::vector<PackageResource> resources;
  std::vector<std::string> warnings;  // tolerated quirks, in the order met
  // By name; with an empty name, the only resource. ConfigError listing the names otherwise.
  const PackageResource& resource(const std::string& name) const;
};

// `path` is datapackage.json or the folder holding it. A resource path that does not exist is
// looked up by file name next to the descriptor (the bundled segregation package says
// data/x.csv while x.csv sits beside datapackage.json), with a warning. InputError naming the
// descriptor for invalid JSON, a resource without name/path, or a file that cannot be found.
DataPackage read_datapackage(const std::filesystem::path& path);

// True when `path` is a datapackage.json or a folder holding one.
bool is_datapackage(const std::filesystem::path& path);

}  // namespace flowfit::analysis
