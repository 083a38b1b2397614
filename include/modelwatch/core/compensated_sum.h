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

 private:
  double sum_ = 0.0;
  double comp_ = 0.0;
};

}  // namespace modelwatch
