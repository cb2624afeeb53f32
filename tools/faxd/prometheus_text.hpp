// Prometheus' text exposition format 0.0.4, written: what faxd's /metrics
// answers. One family at a time (# HELP, # TYPE, then its samples), label
// values and help escaped as the format says, so any value (a port's name)
// is safe in it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faxemu::faxd {

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
  public:
    // Starts a family: `type` is "counter", "gauge" or "untyped". Its samples
    // follow, named `name` (a counter's name ends in _total).
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const MetricLabels& labels, std::int64_t value);
    void sample(std::string_view name, const MetricLabels& labels, double value);

    const std::string& text() const { return out_; }

  private:
    void labels(const MetricLabels& labels);
    std::string out_;
};

// A label value of ours in the usual Prometheus form: lower case, words joined
// by "_" ("No Answer" -> "no_answer").
std::string metric_label_value(std::string_view words);

}  // namespace faxemu::faxd
