// The terminal table of the final audit: every stage's targets measured on the final matrix.
#include <fmt/format.h>

#include "flowfit/pipeline/stage_names.hpp"
#include "flowfit/report/summary.hpp"

namespace flowfit::report {

std::string final_audit_summary(const pipeline::RunReport& run) {
  TextTable t({"year", "stage", "final max rel.", "final median rel.", "worst group"});
  bool any = false;
  for (const auto& y : run.years) {
    if (!y.audit) {
      if (y.resumed) t.add_row({std::to_string(y.year), "(all)", "-", "-", "no audit stored"});
      continue;
    }
    for (const pipeline::StageAudit& s : y.audit->stages) {
      any = true;
      std::string worst = "-";
      if (s.max_rel > 0 && !s.worst_group.empty()) {
        worst = s.worst_margin.empty() ? s.worst_group : s.worst_margin + " " + s.worst_group;
        for (const pipeline::MarginAudit& m : s.margins)
          if (m.margin == s.worst_margin)
            worst += fmt::format(" ({:.6g} vs target {:.6g})", m.worst_sum, m.worst_target);
      }
      if (s.kind == pipeline::StageKind::diagonal_clip)
        worst = s.diagonal_below_one == 0
                    ? "-"
                    : fmt::format("{} diagonals < 1, min {:.3g} at {}", s.diagonal_below_one,
                                  s.min_diagonal, s.worst_group);
      t.add_row({std::to_string(y.year), pipeline::stage_name(s.kind),
                 s.measured ? fmt::format("{:.3g}", s.max_rel) : "-",
                 s.measured ? fmt::format("{:.3g}", s.median_rel) : "-", worst});
    }
  }
  if (!any) return "";
  return "final matrix against every stage's targets (later stages move earlier ones' sums):\n" +
         t.render();
}

}  // namespace flowfit::report
