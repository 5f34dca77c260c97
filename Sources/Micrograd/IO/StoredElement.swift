// StoredElement: the element types a file may hold, and their conversion to float32.

/// An element type stored in a file, little-endian, that reads into float32.
enum StoredElement: Sendable, CaseIterable {
  case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float16, bfloat16, float32, float64

  /// The size of one element in bytes.
  var byteCount: Int {
    switch self {
    case .bool, .int8, .uint8: 1
    case .int16, .uint16, .float16, .bfloat16: 2
    case .int32, .uint32, .float32: 4
    case .int64, .uint64, .float64: 8
    }
  }

  /// The type's name, as numpy spells it.
  var name: String {
    switch self {
    case .bool: "bool"
    case .int8: "int8"
    case .uint8: "uint8"
    case .int16: "int16"
    case .uint16: "uint16"
    case .int32: "int32"
    case .uint32: "uint32"
    case .int64: "int64"
    case .uint64: "uint64"
    case .float16: "float16"
    case .bfloat16: "bfloat16"
    case .float32: "float32"
    case .float64: "float64"
    }
  }

  /// Reads `count` elements from `bytes` (exactly `count * byteCount` of
  /// them) into `out` as float32, rounding to nearest like numpy's
  /// `astype(np.float32)`; returns what was changed on the way, or nil for
  /// float32, which is copied as is (NaN and infinities included).
  func convert(_ bytes: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Float>) -> String? {
    precondition(bytes.count == count * byteCount)
    var changed = 0
    switch self {
    case .float32:
      if count > 0 { UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: count * 4) }
      #if _endian(big)
        for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
      #endif
      return nil
    case .bool:
      for i in 0..<count { out[i] = bytes[i] == 0 ? 0 : 1 }
    case .int8: changed = Self.integers(bytes, count, Int8.self, out)
    case .uint8: changed = Self.integers(bytes, count, UInt8.self, out)
    case .int16: changed = Self.integers(bytes, count, Int16.self, out)
    case .uint16: changed = Self.integers(bytes, count, UInt16.self, out)
    case .int32: changed = Self.integers(bytes, count, Int32.self, out)
    case .uint32: changed = Self.integers(bytes, count, UInt32.self, out)
    case .int64: changed = Self.integers(bytes, count, Int64.self, out)
    case .uint64: changed = Self.integers(bytes, count, UInt64.self, out)
    case .float16:
      for i in 0..<count { out[i] = floatFromHalf(Self.load(bytes, i, UInt16.self)) }
    case .bfloat16:
      for i in 0..<count { out[i] = Float(bitPattern: UInt32(Self.load(bytes, i, UInt16.self)) << 16) }
    case .float64:
      for i in 0..<count {
        let value = Double(bitPattern: Self.load(bytes, i, UInt64.self))
        out[i] = Float(value)
        if value.isFinite && out[i].isInfinite { changed += 1 }
      }
    }
    var note = "converted \(name) to float32"
    if changed > 0 {
      let plural = changed == 1 ? "" : "s"
      note +=
        self == .float64
        ? " (\(changed) finite value\(plural) overflowed to infinity)"
        : " (\(changed) value\(plural) beyond 2^24 rounded)"
    }
    return note
  }

  /// The `index`-th little-endian integer of type `T` in `bytes`.
  private static func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ index: Int, _ type: T.Type) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
  }

  /// Converts `count` integers of type `T`; returns how many were rounded.
  private static func integers<T: FixedWidthInteger>(
    _ bytes: UnsafeRawBufferPointer, _ count: Int, _ type: T.Type, _ out: UnsafeMutablePointer<Float>
  ) -> Int {
    var rounded = 0
    for i in 0..<count {
      let value = load(bytes, i, T.self)
      out[i] = Float(value)
      if T(exactly: out[i]) != value { rounded += 1 }
    }
    return rounded
  }
}

/// The float32 value of an IEEE 754 half-precision bit pattern (exact: every
/// half is a float).
func floatFromHalf(_ bits: UInt16) -> Float {
  let sign = UInt32(bits & 0x8000) << 16
  let exponent = Int(bits >> 10) & 0x1F
  let mantissa = UInt32(bits & 0x3FF)
  switch exponent {
  case 0:
    // Zero or subnormal: mantissa × 2^-24.
    let magnitude = Float(mantissa) * 0x1p-24
    return Float(bitPattern: sign | magnitude.bitPattern)
  case 0x1F:
    return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
  default:
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
  }
}

/// The number of elements of `shape`, or nil when the product of its
/// non-zero dimensions overflows `Int`.
///
/// A shape like `[2^62, 2^62, 0]` has no elements, yet `Shape.count` and
/// `Shape.strides` would overflow multiplying its dimensions, so it is
/// refused too: every partial product ``Shape`` computes is bounded by the
/// product of the non-zero dimensions.
func checkedElementCount(_ shape: [Int]) -> Int? {
  var product = 1
  for dim in shape where dim != 0 {
    guard dim > 0 else { return nil }
    let (next, overflow) = product.multipliedReportingOverflow(by: dim)
    if overflow { return nil }
    product = next
  }
  return shape.contains(0) ? 0 : product
}
