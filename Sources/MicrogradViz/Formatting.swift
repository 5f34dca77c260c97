import Foundation
import Micrograd

/// Short text for numbers and shapes in labels.
enum Formatting {
  /// `0.1235`, `-3`, `1.2e+06`: four significant digits.
  static func number(_ value: Float) -> String {
    String(format: "%.4g", Double(value))
  }

  /// `[2,3]`; `[]` for a scalar.
  static func shape(_ shape: Shape) -> String {
    "[" + shape.dims.map(String.init).joined(separator: ",") + "]"
  }

  /// Up to a few values laid out by `shape` like numpy: `[[1, 2], [3, 4]]`;
  /// a scalar alone.
  static func values(_ values: [Float], shape: Shape) -> String {
    guard shape.rank > 0 else { return values.first.map(number) ?? "" }
    var index = 0
    func nested(_ axis: Int) -> String {
      let items = (0..<shape[axis]).map { _ -> String in
        if axis == shape.rank - 1 {
          defer { index += 1 }
          return number(values[index])
        }
        return nested(axis + 1)
      }
      return "[" + items.joined(separator: ", ") + "]"
    }
    return nested(0)
  }

  /// `min -1.2  mean 0.03  max 2.1` (NaN counted as such).
  static func summary(_ values: UnsafeBufferPointer<Float>) -> String {
    guard !values.isEmpty else { return "empty" }
    var low = Float.infinity
    var high = -Float.infinity
    var total = 0.0
    var nanCount = 0
    for value in values {
      if value.isNaN {
        nanCount += 1
        continue
      }
      low = min(low, value)
      high = max(high, value)
      total += Double(value)
    }
    let counted = values.count - nanCount
    var text =
      counted == 0
      ? "all NaN" : "min \(number(low))  mean \(number(Float(total / Double(counted))))  max \(number(high))"
    if nanCount > 0 && counted > 0 { text += "  NaN ×\(nanCount)" }
    return text
  }
}
