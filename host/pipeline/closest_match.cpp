// "Did you mean" suggestions for misspelt keys and names.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "flowfit/pipeline/plan_toml.hpp"

namespace flowfit::pipeline {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  std::string best;
  size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    const std::string lc = lower(c);
    // A candidate that starts with the word, or the other way round, is a strong hint
    // ("max_iter" -> "max_iterations").
    size_t dist = edit_distance(w, lc);
    if (w.size() >= 3 && (lc.rfind(w, 0) == 0 || w.rfind(lc, 0) == 0))
      dist = std::min<size_t>(dist, 1);
    if (dist < best_distance) {
      best_distance = dist;
      best = c;
    }
  }
  // Close enough: at most a third of the longer word, and never more than 3 edits.
  const size_t limit =
      std::min<size_t>(3, std::max<size_t>(1, std::max(w.size(), best.size()) / 3));
  return best_distance <= limit ? best : std::string();
}

}  // namespace flowfit::pipeline
