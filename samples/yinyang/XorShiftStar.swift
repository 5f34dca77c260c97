import Foundation

/// EurekaLabsAI/micrograd's random number generator: xorshift* on 64 bits of
/// state, whose high 32 bits of the scrambled state are one draw. Its floats
/// are the top 24 bits of a draw over 2²⁴, so every one is exactly a float32;
/// `uniform` scales them in double precision, as Python does.
struct XorShiftStar {
  /// The 64 bits of state; the seed is the first state.
  private(set) var state: UInt64

  /// A generator started from `seed` (42 in micrograd).
  init(seed: UInt64) {
    state = seed
  }

  /// The next 32-bit draw.
  mutating func nextUInt32() -> UInt32 {
    state ^= state >> 12
    state ^= state << 25
    state ^= state >> 27
    return UInt32(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 32)
  }

  /// A number in [0, 1) with 24 random bits.
  mutating func random() -> Double {
    Double(nextUInt32() >> 8) / 16_777_216
  }

  /// A number in [a, b), computed as `a + (b - a)·random()` in double.
  mutating func uniform(_ a: Double, _ b: Double) -> Double {
    a + (b - a) * random()
  }
}
