#include "flowfit/synth/config.hpp"

#include <cmath>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::synth {

std::string_view to_string(TargetSource s) {
  return s == TargetSource::real ? "real" : "synthetic";
}

TargetSource target_source_from_string(std::string_view s) {
  if (s == "synthetic") return TargetSource::synthetic;
  if (s == "real") return TargetSource::real;
  throw ConfigError("targets", "expected 'synthetic' or 'real', got '" + std::string(s) + "'");
}

namespace {

void require(bool ok, const char* key, const std::string& why) {
  if (!ok) throw ConfigError(key, why);
}

void share(double v, const char* key) {
  require(std::isfinite(v) && v >= 0 && v <= 1, key, "must be in [0, 1]");
}

void positive(double v, const char* key) {
  require(std::isfinite(v) && v > 0, key, "must be positive");
}

void non_negative(double v, const char* key) {
  require(std::isfinite(v) && v >= 0, key, "must be >= 0");
}

}  // namespace

void SynthConfig::validate() const {
  require(nnz >= 1, "nnz", "must be at least 1");
  require(year >= 2011 && year <= 2019, "year",
          "matrix years with census tables are 2011..2019, not " + std::to_string(year));
  share(truth.stayer_share, "truth.stayer_share");
  require(truth.stayer_share > 0, "truth.stayer_share", "must be positive");
  share(truth.within_county_share, "truth.within_county_share");
  non_negative(truth.mover_rate_sigma, "truth.mover_rate_sigma");
  share(truth.max_mover_rate, "truth.max_mover_rate");
  positive(truth.local_scale_miles, "truth.local_scale_miles");
  positive(truth.local_decay, "truth.local_decay");
  non_negative(truth.local_size_half, "truth.local_size_half");
  share(truth.gravity_share, "truth.gravity_share");
  positive(truth.gravity_floor_miles, "truth.gravity_floor_miles");
  non_negative(truth.flow_jitter_sigma, "truth.flow_jitter_sigma");
  non_negative(truth.nnz_exponent, "truth.nnz_exponent");
  non_negative(truth.growth_drift_sigma, "truth.growth_drift_sigma");
  require(truth.max_draw_factor >= 1, "truth.max_draw_factor", "must be >= 1");
  non_negative(observe.state_sigma, "observe.state_sigma");
  non_negative(observe.county_sigma, "observe.county_sigma");
  non_negative(observe.cbg_sigma, "observe.cbg_sigma");
  require(std::isfinite(observe.size_elasticity), "observe.size_elasticity", "must be finite");
  positive(observe.mover_detection, "observe.mover_detection");
  non_negative(observe.mover_detection_sigma, "observe.mover_detection_sigma");
  non_negative(observe.thin_relative, "observe.thin_relative");
  share(observe.thin_probability, "observe.thin_probability");
  share(observe.spread_probability, "observe.spread_probability");
  require(observe.zip_tracts >= 1, "observe.zip_tracts", "must be >= 1");
  non_negative(noise.cbg_cv, "noise.cbg_cv");
  non_negative(noise.cbg_window_cv, "noise.cbg_window_cv");
  non_negative(noise.cbg_cv_min, "noise.cbg_cv_min");
  require(noise.cbg_cv_max >= noise.cbg_cv_min, "noise.cbg_cv_max", "must be >= cbg_cv_min");
  non_negative(noise.flow_cv_scale, "noise.flow_cv_scale");
  non_negative(noise.flow_cv_exponent, "noise.flow_cv_exponent");
  non_negative(noise.same_house_cv, "noise.same_house_cv");
  non_negative(noise.same_state_cv, "noise.same_state_cv");
}

}  // namespace flowfit::synth
