#include "modelwatch/core/event.h"

#include "modelwatch/core/label_order.h"

namespace modelwatch {

std::string EventValue::CanonicalText() const {
  switch (kind) {
    case Kind::kNull:
      return {};
    case Kind::kNumber:
      return CanonicalNumberText(number);
    case Kind::kBool:
      return boolean ? "true" : "false";
    case Kind::kString:
      return text;
  }
  return {};
}

}  // namespace modelwatch
