// CompensatedSum: a running sum with Neumaier's compensation, so that adding millions of terms
// of mixed magnitude loses ~1 ulp instead of ~n ulps. Used by every streaming mean in core.
// Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen" (1974).
// Thread safety: value type.
#pragma once

namespace modelwatch {

class CompensatedSum {
 public:
  void Add(double x) {
    double t = sum_ + x;
    if ((sum_ >= 0 ? sum_ : -sum_) >= (x >= 0 ? x : -x)) {
      comp_ += (sum_ - t) + x;
    } else {
      comp_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  void Merge(const CompensatedSum& o) {
    Add(o.sum_);
    Add(o.comp_);
  }
  double value() const { return sum_ + comp_; }

  // The running sum and its compensation term, and the sum with these parts: for exact
  // serialization (FromParts(s.sum(), s.compensation()) continues exactly as `s` would).
  double sum() const { return sum_; }
  double compensation() const { return comp_; }
  static CompensatedSum FromParts(double sum, double compensation) {
    CompensatedSum s;
    s.sum_ = sum;
    s.comp_ = compensation;
    return s;
  }

 private:
  double sum_ = 0.0;
  double comp_ = 0.0;
};

}  // namespace modelwatch
