// Terminal summaries of runs, stages and order sweeps.
#include "flowfit/report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "flowfit/pipeline/stage_names.hpp"

namespace flowfit::report {
namespace {

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  const char c = s.front();
  return (c >= '0' && c <= '9') || ((c == '-' || c == '+' || c == '.') && s.size() > 1);
}

}  // namespace

TextTable::TextTable(std::vector<std::string> header) : header_(std::move(header)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render() const {
  std::vector<size_t> width(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) {
    width[c] = header_[c].size();
    for (const auto& r : rows_) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) s += "  ";
      const size_t pad = width[c] - cells[c].size();
      const bool right = !is_header && looks_numeric(cells[c]);
      if (right) s.append(pad, ' ');
      s += cells[c];
      if (!right && c + 1 < cells.size()) s.append(pad, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header_, true);
  for (const auto& r : rows_) out += line(r, false);
  return out;
}

double worst_relative_residual(const StageResult& r) {
  double worst = 0;
  for (const auto& m : r.residuals) worst = std::max(worst, m.max_rel);
  return worst;
}

std::string run_summary(const pipeline::RunReport& run) {
  TextTable t({"year", "stage", "iterations", "verdict", "worst rel. residual", "seconds"});
  std::map<std::string, int> warning_counts;
  for (const auto& y : run.years) {
    if (y.resumed) {
      t.add_row({std::to_string(y.year), "(all)", "-", "resumed", "-", "-"});
      continue;
    }
    for (const auto& s : y.stages) {
      const std::string kind = pipeline::stage_name(s.spec.kind);
      if (!s.result) {
        t.add_row({std::to_string(y.year), kind, "-", fmt::format("clipped (+{})", s.clip_inserted),
                   "-", fmt::format("{:.3f}", s.seconds)});
        continue;
      }
      t.add_row({std::to_string(y.year), kind, std::to_string(s.result->iterations),
                 std::string(to_string(s.result->verdict)),
                 fmt::format("{:.3g}", worst_relative_residual(*s.result)),
                 fmt::format("{:.3f}", s.seconds)});
    }
    for (const auto& w : y.warnings) ++warning_counts[std::string(targets::to_string(w.kind))];
  }
  std::string out = t.render();
  for (const auto& [kind, n] : warning_counts)
    out += fmt::format("target warnings: {} x {} (details in the JSON report)\n", n, kind);
  return out + final_audit_summary(run);
}

std::string stage_summary(const StageResult& r) {
  std::string out = fmt::format("stage {}: {} iteration{}, {}{}; {} cells, {:.3f} s\n", r.stage,
                                r.iterations, r.iterations == 1 ? "" : "s", to_string(r.verdict),
                                r.verdict_detail.empty() ? "" : " (" + r.verdict_detail + ")",
                                r.cells, r.timings.total_s);
  TextTable t({"margin", "blocks", "zero target", "zero current", "max abs", "max rel"});
  for (const auto& m : r.residuals)
    t.add_row({m.margin, std::to_string(m.blocks), std::to_string(m.blocks_zero_target),
               std::to_string(m.blocks_zero_current), fmt::format("{:.3g}", m.max_abs),
               fmt::format("{:.3g}", m.max_rel)});
  return out + t.render();
}

std::string sweep_summary(const pipeline::SweepResult& s) {
  std::vector<std::string> header{"order", "max rel diff", "county r"};
  std::vector<pipeline::StageKind> families;
  if (!s.orders.empty())
    for (const auto& f : s.orders.front().residuals)
      if (std::find(families.begin(), families.end(), f.family) == families.end())
        families.push_back(f.family);
  for (auto k : families) header.push_back(std::string(pipeline::to_string(k)) + " rel");
  header.push_back("seconds");
  TextTable t(header);
  for (const auto& o : s.orders) {
    std::vector<std::string> row{pipeline::order_text(o.order),
                                 fmt::format("{:.3g}", o.max_rel_diff_vs_default),
                                 fmt::format("{:.6f}", o.county_flow_correlation)};
    for (auto k : families) {
      double worst = 0;
      for (const auto& f : o.residuals)
        if (f.family == k) worst = std::max(worst, f.residual.max_rel);
      row.push_back(fmt::format("{:.3g}", worst));
    }
    row.push_back(fmt::format("{:.3f}", o.seconds));
    t.add_row(std::move(row));
  }
  return t.render();
}

}  // namespace flowfit::report
