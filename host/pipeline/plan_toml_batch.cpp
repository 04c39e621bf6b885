// Plan files: the batch keys (orders, replicates, seed, [batch]).
#include "host/pipeline/plan_toml_batch.hpp"

#include <cctype>

#include <fmt/format.h>

#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/pipeline/work_items.hpp"

namespace flowfit::pipeline::detail {
namespace {

StageKind order_kind(const std::string& name, TomlDocument& doc, const std::string& key,
                     int64_t line) {
  std::vector<std::string> names;
  for (StageKind k : all_stage_kinds()) names.emplace_back(to_string(k));
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return all_stage_kinds()[i];
  const std::string hint = closest_match(name, names);
  doc.fail(key, line,
           fmt::format("unknown stage kind \"{}\"{}", name,
                       hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

// An order: ["cbg_rows", "county_ipf"] or "cbg_rows,county_ipf".
std::vector<StageKind> read_order(const toml::node& node, const std::string& key,
                                  TomlDocument& doc) {
  const int64_t line = line_of(node);
  std::vector<StageKind> order;
  if (const auto* s = node.as_string()) {
    const std::string text = s->get();
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(',', start);
      if (end == std::string::npos) end = text.size();
      std::string word = text.substr(start, end - start);
      while (!word.empty() && word.front() == ' ') word.erase(word.begin());
      while (!word.empty() && word.back() == ' ') word.pop_back();
      order.push_back(order_kind(word, doc, key, line));
      start = end + 1;
    }
    return order;
  }
  const auto* a = node.as_array();
  if (!a)
    doc.fail(key, line,
             "expected a stage order: an array of stage kinds or a comma-separated string, got " +
                 describe(node));
  for (size_t i = 0; i < a->size(); ++i) {
    const auto* s = (*a)[i].as_string();
    if (!s) doc.fail(key, line, "expected stage kind names, got " + describe((*a)[i]));
    order.push_back(order_kind(s->get(), doc, key, line_of((*a)[i])));
  }
  return order;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void read_batch_keys(const TableReader& t, TomlDocument& doc, Plan& plan) {
  BatchSpec& b = plan.batch;
  if (const toml::array* orders = t.array("orders")) {
    for (size_t i = 0; i < orders->size(); ++i) {
      const std::string key = fmt::format("orders[{}]", i);
      doc.key_lines[key] = line_of((*orders)[i]);
      b.orders.push_back(read_order((*orders)[i], key, doc));
    }
    if (b.orders.empty()) t.fail("orders", "expected at least one stage order");
  }
  if (auto n = t.integer("replicates")) {
    if (*n < 0 || *n > 100000)
      t.fail("replicates", fmt::format("expected 0..100000 replicates, got {}", *n));
    b.replicates = static_cast<int>(*n);
  }
  if (auto n = t.integer("seed")) {
    if (*n < 0) t.fail("seed", fmt::format("expected an integer >= 0, got {}", *n));
    b.seed = static_cast<uint64_t>(*n);
  }
  if (const toml::table* bt = t.table("batch")) {
    TableReader r(*bt, "batch", doc,
                  {"tasks", "cpus_per_task", "mem", "time", "partition", "account"});
    BatchResources& res = b.resources;
    if (auto n = r.integer("tasks")) {
      if (*n < 1 || *n > 1000000)
        r.fail("tasks", fmt::format("expected a task count in 1..1000000, got {}", *n));
      res.tasks = static_cast<int>(*n);
    }
    if (auto n = r.integer("cpus_per_task")) {
      if (*n < 1 || *n > 4096)
        r.fail("cpus_per_task", fmt::format("expected a CPU count in 1..4096, got {}", *n));
      res.cpus_per_task = static_cast<int>(*n);
    }
    if (auto s = r.string("mem")) res.mem = *s;
    if (auto s = r.string("time")) res.time = *s;
    if (auto s = r.string("partition")) res.partition = *s;
    if (auto s = r.string("account")) res.account = *s;
    for (const auto* v : {&res.mem, &res.time, &res.partition, &res.account})
      for (char c : *v)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_' ||
              c == '.' || c == ','))
          r.fail(v == &res.mem         ? "mem"
                 : v == &res.time      ? "time"
                 : v == &res.partition ? "partition"
                                       : "account",
                 fmt::format("'{}' is not a plain scheduler value (letters, digits, :-_.,)", *v));
  }
}

std::string batch_toml_keys(const BatchSpec& b) {
  std::string out;
  if (!b.orders.empty()) {
    out += "orders = [\n";
    for (const auto& order : b.orders) out += "  " + quoted(order_text(order)) + ",\n";
    out += "]\n";
  }
  if (b.replicates > 0) out += fmt::format("replicates = {}\nseed = {}\n", b.replicates, b.seed);
  return out;
}

std::string batch_toml_table(const BatchSpec& b) {
  std::string out;
  const BatchResources& r = b.resources;
  std::string table;
  if (r.tasks > 0) table += fmt::format("tasks = {}\n", r.tasks);
  if (r.cpus_per_task > 0) table += fmt::format("cpus_per_task = {}\n", r.cpus_per_task);
  if (!r.mem.empty()) table += "mem = " + quoted(r.mem) + "\n";
  if (!r.time.empty()) table += "time = " + quoted(r.time) + "\n";
  if (!r.partition.empty()) table += "partition = " + quoted(r.partition) + "\n";
  if (!r.account.empty()) table += "account = " + quoted(r.account) + "\n";
  if (!table.empty()) out += "\n[batch]\n" + table;
  return out;
}

}  // namespace flowfit::pipeline::detail
